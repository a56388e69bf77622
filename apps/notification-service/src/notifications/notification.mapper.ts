import type { NotificationResponse } from '@platform/api';
import type { NotificationEntity } from './notification.entity';

export function toNotificationResponse(notification: NotificationEntity): NotificationResponse {
  return {
    id: notification.id,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    ...(notification.orderId ? { orderId: notification.orderId } : {}),
    readAt: notification.readAt?.toISOString() ?? null,
    createdAt: notification.createdAt.toISOString(),
  };
}
