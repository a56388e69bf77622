import { JwksConfig, TokenConfig } from '@platform/auth';
import { MessagingConfig } from '@platform/messaging';
import { BaseServiceConfig, DatabaseConfig } from '@platform/service-kit';

export class OrderServiceConfig extends BaseServiceConfig {
  override PORT = 3002;
}

/** Every other settings class order-service reads; all are validated together at start-up (README lists them). */
export const ORDER_SERVICE_SETTINGS = [DatabaseConfig, MessagingConfig, TokenConfig, JwksConfig];
