import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { TokenPairResponse } from '@platform/api';
import { ACCESS_TOKEN, REFRESH_TOKEN, TokenConfig } from '@platform/auth';
import { SignJWT } from 'jose';
import { UserServiceConfig } from '../config/user-service.config';
import { SigningKeys } from '../keys/signing-keys';

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Signs access tokens and mints opaque refresh tokens. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly config: UserServiceConfig,
    private readonly tokens: TokenConfig,
  ) {}

  get refreshTokenTtlMs(): number {
    return this.config.REFRESH_TOKEN_TTL_SECONDS * 1000;
  }

  async accessToken(user: { id: string; roles: string[] }): Promise<string> {
    const key = await this.keys.signingKey();
    return new SignJWT({ roles: user.roles })
      .setProtectedHeader({ alg: ACCESS_TOKEN.algorithm, kid: key.kid, typ: ACCESS_TOKEN.type })
      .setSubject(user.id)
      .setIssuer(this.tokens.JWT_ISSUER)
      .setAudience(this.tokens.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.config.ACCESS_TOKEN_TTL_SECONDS}s`)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  /** 256 random bits behind the refresh-token prefix (REFRESH_TOKEN.pattern). */
  refreshToken(): string {
    return `${REFRESH_TOKEN.prefix}${randomBytes(32).toString('base64url')}`;
  }

  async pair(user: { id: string; roles: string[] }, refreshToken: string): Promise<TokenPairResponse> {
    return { accessToken: await this.accessToken(user), refreshToken, tokenType: 'Bearer', expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS };
  }
}
