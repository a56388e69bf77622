#!/usr/bin/env node
// Prints a new JWK Set with one private Ed25519 signing key for user-service's JWT_SIGNING_KEYS.
// Rotation (docs/deploy.md): append the new key, deploy, then move it to the front, deploy,
// and drop the old one once access tokens signed with it have expired (15 minutes).
import { generateKeyPairSync, randomUUID } from 'node:crypto';

const { privateKey } = generateKeyPairSync('ed25519');
const jwk = privateKey.export({ format: 'jwk' });
const key = { ...jwk, kid: `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`, alg: 'EdDSA', use: 'sig' };
process.stdout.write(`${JSON.stringify({ keys: [key] })}\n`);
