import { BackendServiceConfig } from '@platform/service-kit';
import { IsUrl } from 'class-validator';

export class NotificationServiceConfig extends BackendServiceConfig {
  override PORT = 3003;

  /** Where user-service publishes its signing keys; tokens are verified here too, not only at the gateway. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  JWKS_URL: string;
}
