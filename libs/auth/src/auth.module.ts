import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { TokenVerifier, type TokenVerifierOptions } from './token-verifier';

export interface AuthModuleOptions {
  useFactory: (...args: never[]) => TokenVerifierOptions;
  inject?: FactoryProvider['inject'];
}

/** Installs the global AuthGuard with a verifier built from the service's config. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: TokenVerifier, useFactory: (...args: never[]) => new TokenVerifier(options.useFactory(...args)), inject: options.inject ?? [] },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokenVerifier],
    };
  }
}
