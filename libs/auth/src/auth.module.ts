import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { JSONWebKeySet } from 'jose';
import { AuthGuard } from './auth.guard';
import { JwksConfig, TokenConfig } from './token.config';
import { TokenVerifier } from './token-verifier';

export interface AuthModuleOptions {
  /**
   * The signer's own key set (user-service verifies its tokens without a JWKS round trip). Without
   * it, keys come from JWKS_URL.
   */
  localKeys?: { useFactory: (...args: never[]) => JSONWebKeySet; inject?: FactoryProvider['inject'] };
}

/** Installs the global AuthGuard with a verifier for the platform's access tokens. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    const local = options.localKeys;
    const verifier: FactoryProvider = local
      ? {
          provide: TokenVerifier,
          useFactory: (tokens: TokenConfig, ...args: never[]) => new TokenVerifier({ issuer: tokens.JWT_ISSUER, audience: tokens.JWT_AUDIENCE, jwks: local.useFactory(...args) }),
          inject: [TokenConfig, ...(local.inject ?? [])],
        }
      : {
          provide: TokenVerifier,
          useFactory: (tokens: TokenConfig, jwks: JwksConfig) => new TokenVerifier({ issuer: tokens.JWT_ISSUER, audience: tokens.JWT_AUDIENCE, jwksUrl: jwks.JWKS_URL }),
          inject: [TokenConfig, JwksConfig],
        };
    return {
      module: AuthModule,
      global: true,
      providers: [verifier, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: [TokenVerifier],
    };
  }
}
