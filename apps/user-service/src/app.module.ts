import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@platform/auth';
import { KafkaReadinessCheck, MessagingModule, messagingOptionsFrom, OutboxReadinessCheck } from '@platform/messaging';
import { DatabaseReadinessCheck, ServiceKitModule } from '@platform/service-kit';
import { AuthHttpController } from './auth/auth.http.controller';
import { AuthService } from './auth/auth.service';
import { PasswordHasher } from './auth/password-hasher';
import { TokenIssuer } from './auth/token-issuer';
import { UserServiceConfig } from './config/user-service.config';
import { USERS_SCHEMA, userServiceDatabase } from './database/database.options';
import { KeysModule } from './keys/keys.module';
import { SigningKeys } from './keys/signing-keys';
import { UsersHttpController } from './users/users.http.controller';
import { UsersService } from './users/users.service';

@Module({
  imports: [
    ServiceKitModule.forRoot({ config: UserServiceConfig, readiness: [DatabaseReadinessCheck, KafkaReadinessCheck, OutboxReadinessCheck] }),
    TypeOrmModule.forRootAsync({
      useFactory: (config: UserServiceConfig) => userServiceDatabase(config.DATABASE_URL, config.DATABASE_POOL_MAX),
      inject: [UserServiceConfig],
    }),
    MessagingModule.forRoot({
      useFactory: (config: UserServiceConfig) => messagingOptionsFrom(config, 'user-service', USERS_SCHEMA),
      inject: [UserServiceConfig],
    }),
    KeysModule,
    // user-service verifies its own tokens with its own keys; no JWKS round trip.
    AuthModule.forRoot({
      useFactory: (keys: SigningKeys, config: UserServiceConfig) => ({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwks: keys.jwks }),
      inject: [SigningKeys, UserServiceConfig],
    }),
  ],
  controllers: [AuthHttpController, UsersHttpController],
  providers: [AuthService, UsersService, PasswordHasher, TokenIssuer],
})
export class AppModule {}
