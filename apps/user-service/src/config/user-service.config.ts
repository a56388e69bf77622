import { readFileSync } from 'node:fs';
import { TokenConfig } from '@platform/auth';
import { CommaSeparated } from '@platform/config';
import { MessagingConfig } from '@platform/messaging';
import { BaseServiceConfig, DatabaseConfig } from '@platform/service-kit';
import { IsArray, IsInt, IsString, Max, Min, ValidateIf } from 'class-validator';

export class UserServiceConfig extends BaseServiceConfig {
  override PORT = 3001;

  /**
   * The signing keys as a JWK Set of private Ed25519 keys, each with a `kid`. The first key signs;
   * every key is published in the JWKS, which is how a new key is rolled out (see docs/deploy.md).
   */
  @ValidateIf((config: UserServiceConfig) => !config.JWT_SIGNING_KEYS_FILE)
  @IsString({ message: 'JWT_SIGNING_KEYS (or JWT_SIGNING_KEYS_FILE) must be set' })
  JWT_SIGNING_KEYS?: string;

  /** A file holding the same JWK Set (a mounted Secret, a compose volume). */
  @ValidateIf((config: UserServiceConfig) => !config.JWT_SIGNING_KEYS)
  @IsString({ message: 'JWT_SIGNING_KEYS_FILE (or JWT_SIGNING_KEYS) must be set' })
  JWT_SIGNING_KEYS_FILE?: string;

  /** The signing key set, from the variable or the file. */
  signingKeysJson(): string {
    return this.JWT_SIGNING_KEYS ?? readFileSync(this.JWT_SIGNING_KEYS_FILE as string, 'utf8');
  }

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

/** Every other settings class user-service reads; all are validated together at start-up (README lists them). */
export const USER_SERVICE_SETTINGS = [DatabaseConfig, MessagingConfig, TokenConfig];
