import type { ServiceData } from '@platform/service-kit';
import { EmailDeliveryEntity } from '../email/email-delivery.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { PreferenceEntity } from '../preferences/preference.entity';
import { ErasedRecipientEntity, RecipientEntity } from '../recipients/recipient.entity';
import { CreateNotifications1763900000000 } from './migrations/1763900000000-create-notifications';
import { EmailPreferencesUnread1764000000000 } from './migrations/1764000000000-email-preferences-unread';
import { NotificationsStreamOrder1765200000000 } from './migrations/1765200000000-notifications-stream-order';
import { NotificationsStreamOrderIndex1765200000001 } from './migrations/1765200000001-notifications-stream-order-index';

/** What notification-service keeps in its `notifications` schema. */
export const NOTIFICATION_SERVICE_DATA: ServiceData = {
  entities: [NotificationEntity, ErasedRecipientEntity, RecipientEntity, PreferenceEntity, EmailDeliveryEntity],
  migrations: [CreateNotifications1763900000000, EmailPreferencesUnread1764000000000, NotificationsStreamOrder1765200000000, NotificationsStreamOrderIndex1765200000001],
};
