import type { ServiceData } from '@platform/service-kit';
import { ErasedRecipientEntity, NotificationEntity } from '../notifications/notification.entity';
import { CreateNotifications1763900000000 } from './migrations/1763900000000-create-notifications';

/** What notification-service keeps in its `notifications` schema. */
export const NOTIFICATION_SERVICE_DATA: ServiceData = {
  entities: [NotificationEntity, ErasedRecipientEntity],
  migrations: [CreateNotifications1763900000000],
};
