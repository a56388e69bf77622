import { Global, Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { SigningKeys } from './signing-keys';

@Global()
@Module({
  controllers: [JwksController],
  providers: [SigningKeys],
  exports: [SigningKeys],
})
export class KeysModule {}
