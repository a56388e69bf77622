import { JwksConfig, TokenConfig } from '@platform/auth';
import { MessagingConfig } from '@platform/messaging';
import { BaseServiceConfig, DatabaseConfig } from '@platform/service-kit';
import { IsInt, IsString, IsUrl, Max, Min } from 'class-validator';

export class NotificationServiceConfig extends BaseServiceConfig {
  override PORT = 3003;

  /** Where mail goes: `smtp://host:port` (or `smtps://user:pass@host:465`). Required: a deployment says where its relay is. */
  @IsUrl({ require_tld: false, protocols: ['smtp', 'smtps'], require_protocol: true }, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL: string;

  /** `From` of every mail; its domain also names the Message-IDs. */
  @IsString()
  MAIL_FROM = 'Platform <notifications@platform.local>';

  /** How often the mail sender looks for due deliveries (it also wakes when a notification is stored). */
  @IsInt()
  @Min(50)
  MAIL_POLL_INTERVAL_MS: number = 1_000;

  /** First retry delay after the SMTP server was unreachable or answered 4xx (exponential, jittered). */
  @IsInt()
  @Min(10)
  MAIL_RETRY_INITIAL_MS: number = 1_000;

  /** Longest retry delay; a delivery is retried until the server takes it or refuses it for good (5xx). */
  @IsInt()
  @Min(10)
  MAIL_RETRY_MAX_MS: number = 300_000;

  /** Deliveries claimed per batch. */
  @IsInt()
  @Min(1)
  @Max(500)
  MAIL_BATCH_SIZE: number = 20;

  /** A comment line goes down every open stream this often, so proxies keep it open (≤ 15 s, SPEC §2). */
  @IsInt()
  @Min(100)
  @Max(15_000)
  STREAM_HEARTBEAT_MS: number = 15_000;

  /** Connection and greeting timeout of the SMTP client: a hanging server is treated like an unreachable one. */
  @IsInt()
  @Min(100)
  SMTP_TIMEOUT_MS: number = 10_000;
}

/** Every other settings class notification-service reads; all are validated together at start-up (README lists them). */
export const NOTIFICATION_SERVICE_SETTINGS = [DatabaseConfig, MessagingConfig, TokenConfig, JwksConfig];
