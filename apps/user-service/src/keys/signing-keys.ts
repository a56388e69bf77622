import { Injectable } from '@nestjs/common';
import { ACCESS_TOKEN } from '@platform/auth';
import { importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { UserServiceConfig } from '../config/user-service.config';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * The access-token signing keys, read from JWT_SIGNING_KEYS. Only public parts ever leave the
 * process (the JWKS); the first key is the one that signs.
 */
@Injectable()
export class SigningKeys {
  readonly jwks: JSONWebKeySet;
  private readonly privateJwks: JWK[];
  private active?: SigningKey;

  constructor(config: UserServiceConfig) {
    this.privateJwks = SigningKeys.parse(config.signingKeysJson());
    this.jwks = {
      keys: this.privateJwks.map(({ kty, crv, x, kid }) => ({ kty, crv, x, kid, alg: ACCESS_TOKEN.algorithm, use: 'sig' })),
    };
  }

  async signingKey(): Promise<SigningKey> {
    if (!this.active) {
      const jwk = this.privateJwks[0];
      this.active = { kid: jwk.kid as string, privateKey: (await importJWK({ ...jwk, alg: ACCESS_TOKEN.algorithm }, ACCESS_TOKEN.algorithm)) as CryptoKey };
    }
    return this.active;
  }

  private static parse(raw: string): JWK[] {
    let set: { keys?: JWK[] };
    try {
      set = JSON.parse(raw);
    } catch {
      throw new Error('JWT_SIGNING_KEYS is not JSON (expected a JWK Set: {"keys":[…]})');
    }
    const keys = set.keys ?? [];
    if (keys.length === 0) throw new Error('JWT_SIGNING_KEYS has no keys');
    for (const key of keys) {
      if (key.kty !== 'OKP' || key.crv !== 'Ed25519' || !key.d || !key.x || !key.kid) {
        throw new Error('every key in JWT_SIGNING_KEYS must be a private Ed25519 JWK (kty OKP, crv Ed25519, d, x) with a kid');
      }
    }
    return keys;
  }
}
