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

  /** The delivery row, unless the type is not mailed or the user turned email off: one statement, on every notification's path. */
  async enqueue(manager: EntityManager, notification: NotificationEntity): Promise<boolean> {
    if (!EMAILED_TYPES.has(notification.type)) return false;
    const inserted: unknown[] = await manager.query(
      `INSERT INTO "notifications"."email_deliveries" ("notification_id", "user_id", "message_id", "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at")
       SELECT $1, $2, $3, 'pending', 0, $4, NULL, $4, NULL WHERE ${this.preferences.emailOnSql('$2')} RETURNING 1`,
      [notification.id, notification.userId, this.transport.messageIdFor(notification.id), notification.createdAt],
    );
    return inserted.length > 0;
  }

  private async forget(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(EmailDeliveryEntity, { userId });
  }
}
