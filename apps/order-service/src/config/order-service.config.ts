import { BackendServiceConfig } from '@platform/service-kit';
import { IsUrl } from 'class-validator';

export class OrderServiceConfig extends BackendServiceConfig {
  override PORT = 3002;

  /** Where user-service publishes its signing keys; tokens are verified here too, not only at the gateway. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  JWKS_URL: string;
}
