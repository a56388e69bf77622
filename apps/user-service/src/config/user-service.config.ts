import { BackendServiceConfig, CommaSeparated } from '@platform/service-kit';
import { IsArray, IsInt, IsString, Max, Min } from 'class-validator';

export class UserServiceConfig extends BackendServiceConfig {
  override PORT = 3001;

  /**
   * The signing keys as a JWK Set of private Ed25519 keys, each with a `kid`. The first key signs;
   * every key is published in the JWKS, which is how a new key is rolled out (see docs/deploy.md).
   */
  @IsString()
  JWT_SIGNING_KEYS: string;

  @IsInt()
  @Min(60)
  @Max(900)
  ACCESS_TOKEN_TTL_SECONDS: number = 900;

  @IsInt()
  @Min(3_600)
  REFRESH_TOKEN_TTL_SECONDS: number = 30 * 24 * 3_600;

  /** Users registering (or logging in) with one of these emails get the `admin` role. */
  @CommaSeparated()
  @IsArray()
  @IsString({ each: true })
  ADMIN_EMAILS: string[] = [];
}
