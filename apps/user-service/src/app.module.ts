import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { MessagingModule } from '@platform/messaging';
import { DatabaseModule } from '@platform/service-kit';
import { AuthHttpController } from './auth/auth.http.controller';
import { AuthService } from './auth/auth.service';
import { PasswordHasher } from './auth/password-hasher';
import { TokenIssuer } from './auth/token-issuer';
import { USER_SERVICE_DATA } from './database/database.options';
import { KeysModule } from './keys/keys.module';
import { SigningKeys } from './keys/signing-keys';
import { UsersHttpController } from './users/users.http.controller';
import { UsersService } from './users/users.service';

@Module({
  imports: [
    DatabaseModule.forRoot(USER_SERVICE_DATA),
    // It publishes user events and consumes none.
    MessagingModule.forRoot({ publish: true, consume: false }),
    KeysModule,
    // user-service verifies its own tokens with its own keys; no JWKS round trip.
    AuthModule.forRoot({ localKeys: { useFactory: (keys: SigningKeys) => keys.jwks, inject: [SigningKeys] } }),
  ],
  controllers: [AuthHttpController, UsersHttpController],
  providers: [AuthService, UsersService, PasswordHasher, TokenIssuer],
})
export class AppModule {}
