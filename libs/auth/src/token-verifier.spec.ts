import { generateKeyPairSync, createHmac } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

const issuer = 'platform-user-service';
const audience = 'platform-api';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as JWK;
  return { privateKey, publicJwk };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenVerifier', () => {
  let signer: Awaited<ReturnType<typeof keyPair>>;
  let verifier: TokenVerifier;

  const sign = (overrides: { typ?: string; aud?: string; iss?: string; exp?: string | number; roles?: string[]; kid?: string } = {}) =>
    new SignJWT({ roles: overrides.roles ?? ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: overrides.typ ?? 'at+jwt', kid: overrides.kid ?? 'k1' })
      .setSubject('6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11')
      .setIssuer(overrides.iss ?? issuer)
      .setAudience(overrides.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(overrides.exp ?? '15m')
      .sign(signer.privateKey);

  beforeAll(async () => {
    signer = await keyPair('k1');
    verifier = new TokenVerifier({ issuer, audience, jwks: { keys: [signer.publicJwk] } });
  });

  it('accepts a good token and reads the caller from it', async () => {
    await expect(verifier.verify(await sign({ roles: ['user', 'admin'] }))).resolves.toEqual({ id: '6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11', roles: ['user', 'admin'], expiresAt: expect.any(Date) });
  });

  it.each([
    ['the wrong audience', { aud: 'another-api' }],
    ['the wrong issuer', { iss: 'someone-else' }],
    ['a plain JWT type (e.g. an id token)', { typ: 'JWT' }],
    ['a lifetime beyond 15 minutes', { exp: '2h' }],
    ['an unknown key id', { kid: 'k-unknown' }],
  ])('refuses a token with %s', async (_, overrides) => {
    await expect(verifier.verify(await sign(overrides))).rejects.toThrow(InvalidTokenError);
  });

  it('refuses an expired token', async () => {
    await expect(verifier.verify(await sign({ exp: Math.floor(Date.now() / 1000) - 60 }))).rejects.toThrow(InvalidTokenError);
  });

  it('refuses alg "none", a changed payload, a removed signature and HS256 made with the public key', async () => {
    const good = await sign();
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${payload}.`;
    const tampered = `${header}.${b64({ ...claims, roles: ['user', 'admin'] })}.${signature}`;
    const unsigned = `${header}.${payload}.`;
    const hsHeader = b64({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' });
    const hs256 = `${hsHeader}.${payload}.${createHmac('sha256', JSON.stringify(signer.publicJwk)).update(`${hsHeader}.${payload}`).digest('base64url')}`;

    for (const forged of [none, tampered, unsigned, hs256, 'not.a.jwt', '']) {
      await expect(verifier.verify(forged)).rejects.toThrow(InvalidTokenError);
    }
  });
});
