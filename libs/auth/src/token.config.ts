import { IsString, IsUrl } from 'class-validator';

/** Who issues access tokens and for whom: the signer (user-service) and every verifier agree on these. */
export class TokenConfig {
  @IsString()
  JWT_ISSUER = 'platform-user-service';

  @IsString()
  JWT_AUDIENCE = 'platform-api';
}

/** Where a verifier finds the signing keys: user-service's /.well-known/jwks.json. */
export class JwksConfig {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'JWKS_URL must be an http(s) URL (user-service /.well-known/jwks.json)' })
  JWKS_URL: string;
}
