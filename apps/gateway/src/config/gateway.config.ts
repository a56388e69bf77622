import { BaseServiceConfig } from '@platform/service-kit';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

const url = () => IsUrl({ require_tld: false, protocols: ['http', 'https'] });

export class GatewayConfig extends BaseServiceConfig {
  override PORT = 3000;

  @url()
  USER_SERVICE_URL: string;

  @url()
  ORDER_SERVICE_URL: string;

  @url()
  NOTIFICATION_SERVICE_URL: string;

  /** Defaults to user-service's /.well-known/jwks.json. */
  @IsOptional()
  @url()
  JWKS_URL?: string;

  @IsString()
  JWT_ISSUER = 'platform-user-service';

  @IsString()
  JWT_AUDIENCE = 'platform-api';

  /** Longest wait for an upstream's response headers before answering 504. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  UPSTREAM_TIMEOUT_MS: number = 5_000;

  /** Keep-alive connections per upstream. */
  @IsInt()
  @Min(1)
  @Max(1_024)
  UPSTREAM_CONNECTIONS: number = 64;

  get jwksUrl(): string {
    return this.JWKS_URL ?? new URL('/.well-known/jwks.json', this.USER_SERVICE_URL).toString();
  }
}
