import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NotificationEntity } from '../notifications/notification.entity';
import { PreferencesService } from '../preferences/preferences.service';
import { EmailDeliveryEntity } from './email-delivery.entity';
import { EMAILED_TYPES } from './email-templates';
import { MailTransport } from './mail-transport';

/** Records the email of a notification in the notification's own transaction (the mail sender sends it). */
@Injectable()
export class EmailDeliveriesService {
  constructor(
    private readonly preferences: PreferencesService,
    private readonly transport: MailTransport,
  ) {}

  async enqueue(manager: EntityManager, notification: NotificationEntity): Promise<boolean> {
    if (!EMAILED_TYPES.has(notification.type)) return false;
    if (!(await this.preferences.get(notification.userId, manager)).email) return false;
    await manager.insert(EmailDeliveryEntity, {
      notificationId: notification.id,
      userId: notification.userId,
      messageId: this.transport.messageIdFor(notification.id),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: notification.createdAt,
      lastError: null,
      createdAt: notification.createdAt,
      sentAt: null,
    });
    return true;
  }

  async forget(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(EmailDeliveryEntity, { userId });
  }
}
