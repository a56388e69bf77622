import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@platform/service-kit';
import { SigningKeys } from './signing-keys';

@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  /** Public keys verifiers use to check access tokens. */
  @Public()
  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks() {
    return this.keys.jwks;
  }
}
