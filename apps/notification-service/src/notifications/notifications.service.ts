import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PAGE_LIMITS } from '@platform/api';
import { DomainError, keysetPage } from '@platform/service-kit';
import { DataSource, IsNull, Not, type EntityManager } from 'typeorm';
import { EmailDeliveriesService } from '../email/email-deliveries.service';
import { PreferencesService } from '../preferences/preferences.service';
import { RecipientsService } from '../recipients/recipients.service';
import { erasureHash } from './erasure';
import type { NotificationContent } from './notification-templates';
import { ErasedRecipientEntity, NotificationEntity } from './notification.entity';

export interface NotificationSource {
  userId: string;
  eventId: string;
  orderId?: string;
}

@Injectable()
export class NotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly emails: EmailDeliveriesService,
    private readonly recipients: RecipientsService,
    private readonly preferences: PreferencesService,
  ) {}

  /**
   * Stores a notification made from an event, and its email (unless the user turned email off),
   * in the event's transaction — unless its recipient has been erased.
   */
  async notify(manager: EntityManager, source: NotificationSource, content: NotificationContent): Promise<NotificationEntity | undefined> {
    if (await this.isErased(manager, source.userId)) return undefined;
    const notification: NotificationEntity = {
      id: randomUUID(),
      userId: source.userId,
      orderId: source.orderId ?? null,
      sourceEventId: source.eventId,
      ...content,
      readAt: null,
      createdAt: new Date(),
    };
    await manager.insert(NotificationEntity, notification);
    await this.emails.enqueue(manager, notification);
    return notification;
  }

  isErased(manager: EntityManager, userId: string): Promise<boolean> {
    return manager.existsBy(ErasedRecipientEntity, { userIdHash: erasureHash(userId) });
  }

  /** Erasure: every notification, pending email, address and preference of the user goes; a hash of the id stops late events. */
  async erase(manager: EntityManager, userId: string): Promise<void> {
    await this.emails.forget(manager, userId);
    await manager.delete(NotificationEntity, { userId });
    await this.recipients.forget(manager, userId);
    await this.preferences.forget(manager, userId);
    await manager.upsert(ErasedRecipientEntity, { userIdHash: erasureHash(userId), erasedAt: new Date() }, ['userIdHash']);
  }

  /** The unread badge: a count over the partial index of unread notifications. */
  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS count FROM "notifications"."notifications" WHERE "user_id" = $1 AND "read_at" IS NULL`, [userId]);
    return row.count;
  }

  list(userId: string, options: { unread?: boolean; limit?: number; cursor?: string }) {
    const query = this.dataSource.getRepository(NotificationEntity).createQueryBuilder('n').where('n.user_id = :userId', { userId });
    if (options.unread === true) query.andWhere('n.read_at IS NULL');
    if (options.unread === false) query.andWhere('n.read_at IS NOT NULL');
    return keysetPage(query, 'n', { limit: options.limit ?? PAGE_LIMITS.default, cursor: options.cursor });
  }

  /** Marks one of the caller's notifications read; reading it again keeps the first time. */
  async markRead(userId: string, notificationId: string): Promise<NotificationEntity> {
    const repository = this.dataSource.getRepository(NotificationEntity);
    await repository.update({ id: notificationId, userId, readAt: IsNull() }, { readAt: new Date() });
    const notification = await repository.findOneBy({ id: notificationId, userId, readAt: Not(IsNull()) });
    if (!notification) throw new DomainError('not-found', 'NOTIFICATION.NOT_FOUND', 'No such notification.');
    return notification;
  }
}
