import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN } from './access-token';
import type { AuthenticatedUser } from './authenticated-user';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Where the signer publishes its keys (user-service's /.well-known/jwks.json) … */
  jwksUrl?: string;
  /** … or the key set itself, for the signer verifying its own tokens. */
  jwks?: JSONWebKeySet;
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Verifies access tokens: EdDSA only, `typ` at+jwt, issuer, audience, expiry, and a lifetime no
 * longer than the platform allows. Keys come from the JWKS, cached and refreshed when an unknown
 * `kid` appears (that is how a key rotation reaches verifiers).
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.jwks) {
      this.keys = createLocalJWKSet(options.jwks);
    } else if (options.jwksUrl) {
      this.keys = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: ACCESS_TOKEN.jwksCooldownSeconds * 1000, cacheMaxAge: 10 * 60_000 });
    } else {
      throw new Error('TokenVerifier needs jwks or jwksUrl');
    }
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [ACCESS_TOKEN.algorithm],
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: ACCESS_TOKEN.type,
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: ACCESS_TOKEN.maxLifetimeSeconds + ACCESS_TOKEN.clockToleranceSeconds,
        clockTolerance: ACCESS_TOKEN.clockToleranceSeconds,
      });
      // maxTokenAge bounds the age; the lifetime itself (exp - iat) must be short too.
      if ((payload.exp as number) - (payload.iat as number) > ACCESS_TOKEN.maxLifetimeSeconds) throw new InvalidTokenError('token lifetime is too long');
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((role): role is string => typeof role === 'string') : [];
      if (!payload.sub) throw new InvalidTokenError('token has no subject');
      return { id: payload.sub, roles, expiresAt: new Date((payload.exp as number) * 1000) };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(error.code);
      // A JWKS fetch failing is not the caller's fault, but it still cannot be accepted.
      throw new InvalidTokenError((error as Error).message);
    }
  }
}
