import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationCreated } from '../notifications/notification-created.signal';
import type { NotificationEntity } from '../notifications/notification.entity';
import { PreferencesService } from '../preferences/preferences.service';
import { RecipientsService } from '../recipients/recipients.service';
import { EmailDeliveryEntity } from './email-delivery.entity';
import { EMAILED_TYPES } from './email-templates';
import { MailTransport } from './mail-transport';

/** Records the email of each new notification in the notification's own transaction (the mail sender sends it); erased with the user. */
@Injectable()
export class EmailDeliveriesService {
  constructor(
    private readonly preferences: PreferencesService,
    private readonly transport: MailTransport,
    created: NotificationCreated,
    recipients: RecipientsService,
  ) {
    created.onStored(async (manager, notification) => {
      await this.enqueue(manager, notification);
    });
    recipients.onErased((manager, userId) => this.forget(manager, userId));
  }

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

  private async forget(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(EmailDeliveryEntity, { userId });
  }
}
