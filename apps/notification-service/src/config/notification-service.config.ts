import { JwksConfig, TokenConfig } from '@platform/auth';
import { MessagingConfig } from '@platform/messaging';
import { BaseServiceConfig, DatabaseConfig } from '@platform/service-kit';

export class NotificationServiceConfig extends BaseServiceConfig {
  override PORT = 3003;
}

/** Every other settings class notification-service reads; all are validated together at start-up (README lists them). */
export const NOTIFICATION_SERVICE_SETTINGS = [DatabaseConfig, MessagingConfig, TokenConfig, JwksConfig];
