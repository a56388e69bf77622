import { postgresOptions } from '@platform/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { ErasedRecipientEntity, NotificationEntity } from '../notifications/notification.entity';
import { CreateNotifications1763900000000 } from './migrations/1763900000000-create-notifications';

/** The schema notification-service owns; its role can reach no other. */
export const NOTIFICATIONS_SCHEMA = 'notifications';

export function notificationServiceDatabase(url: string, poolMax?: number): DataSourceOptions {
  return postgresOptions({
    service: 'notification-service',
    url,
    schema: NOTIFICATIONS_SCHEMA,
    poolMax,
    entities: [NotificationEntity, ErasedRecipientEntity],
    migrations: [CreateNotifications1763900000000],
  });
}
