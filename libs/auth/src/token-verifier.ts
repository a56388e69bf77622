import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN } from './access-token';
import type { AuthenticatedUser } from './authenticated-user';
import { tokenKindOf } from './token-kind';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Where the signer publishes its keys (user-service's /.well-known/jwks.json) … */
  jwksUrl?: string;
  /** … or the key set itself, for the signer verifying its own tokens. */
  jwks?: JSONWebKeySet;
  /** How many verified tokens to remember (0: verify every time). */
  cacheSize?: number;
  /** The clock (tests). */
  now?: () => number;
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
 *
 * A client sends the same token on every request for up to 15 minutes, so the verifier remembers
 * the tokens it has verified (the exact token string, at most `cacheSize`, least recently used
 * out first) until their own `exp`, never longer: checking the signature again would give the
 * same answer. Tokens that fail are not remembered, so a bad token costs a full verification
 * every time and cannot push good ones out.
 */
export class TokenVerifier {
  static readonly DEFAULT_CACHE_SIZE = 10_000;
  private readonly keys: JWTVerifyGetKey;
  private readonly verified = new Map<string, AuthenticatedUser>();
  private readonly cacheSize: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.cacheSize = options.cacheSize ?? TokenVerifier.DEFAULT_CACHE_SIZE;
    this.now = options.now ?? Date.now;
    if (options.jwks) {
      this.keys = createLocalJWKSet(options.jwks);
    } else if (options.jwksUrl) {
      this.keys = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: ACCESS_TOKEN.jwksCooldownSeconds * 1000, cacheMaxAge: 10 * 60_000 });
    } else {
      throw new Error('TokenVerifier needs jwks or jwksUrl');
    }
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const known = this.verified.get(token);
    if (known) {
      this.verified.delete(token);
      if (known.expiresAt.getTime() > this.now()) {
        this.verified.set(token, known);
        return known;
      }
    }
    const user = await this.verifySignedToken(token);
    if (this.cacheSize > 0) {
      if (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, user);
    }
    return user;
  }

  private async verifySignedToken(token: string): Promise<AuthenticatedUser> {
    if (tokenKindOf(token) !== 'access') throw new InvalidTokenError('not an access token');
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [ACCESS_TOKEN.algorithm],
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: ACCESS_TOKEN.type,
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: ACCESS_TOKEN.maxLifetimeSeconds + ACCESS_TOKEN.clockToleranceSeconds,
        clockTolerance: ACCESS_TOKEN.clockToleranceSeconds,
        currentDate: new Date(this.now()),
      });
      // maxTokenAge bounds the age; the lifetime itself (exp - iat) must be short too.
      if ((payload.exp as number) - (payload.iat as number) > ACCESS_TOKEN.maxLifetimeSeconds) throw new InvalidTokenError('token lifetime is too long');
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((role): role is string => typeof role === 'string') : [];
      if (!payload.sub) throw new InvalidTokenError('token has no subject');
      // Frozen: the same object answers every later request with this token.
      return Object.freeze({ id: payload.sub, roles: Object.freeze(roles) as string[], expiresAt: new Date((payload.exp as number) * 1000) });
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(error.code);
      // A JWKS fetch failing is not the caller's fault, but it still cannot be accepted.
      throw new InvalidTokenError((error as Error).message);
    }
  }
}
