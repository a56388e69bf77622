import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PAGE_LIMITS } from '@platform/api';
import { DomainError, keysetPage } from '@platform/service-kit';
import { DataSource, IsNull, Not, type EntityManager } from 'typeorm';
import { RecipientsService, type RecipientProfile } from '../recipients/recipients.service';
import { NotificationCreated } from './notification-created.signal';
import { NotificationTemplates, type NotificationContent } from './notification-templates';
import { NotificationEntity } from './notification.entity';

export interface NotificationSource {
  userId: string;
  eventId: string;
  orderId?: string;
}

@Injectable()
export class NotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recipients: RecipientsService,
    private readonly created: NotificationCreated,
  ) {
    recipients.onErased(async (manager, userId) => {
      await manager.delete(NotificationEntity, { userId });
      await manager.query('DELETE FROM "notifications"."stream_positions" WHERE "user_id" = $1', [userId]);
    });
  }

  /**
   * Stores a notification made from an event, in the event's transaction, and signals it
   * (NotificationCreated: email records its delivery in the same transaction) — unless its
   * recipient has been erased. One statement: it is on every event's path.
   */
  async notify(manager: EntityManager, source: NotificationSource, content: NotificationContent): Promise<NotificationEntity | undefined> {
    const notification: NotificationEntity = {
      id: randomUUID(),
      userId: source.userId,
      orderId: source.orderId ?? null,
      sourceEventId: source.eventId,
      ...content,
      readAt: null,
      createdAt: new Date(),
      streamSeq: null, // numbered by the database as it is inserted
    };
    const stored: unknown[] = await manager.query(
      `INSERT INTO "notifications"."notifications" ("id", "user_id", "type", "title", "body", "order_id", "source_event_id", "read_at", "created_at")
       SELECT $1, $2, $3, $4, $5, $6, $7, NULL, $8 WHERE ${this.recipients.notErasedSql('$9')} RETURNING "id"`,
      [notification.id, notification.userId, notification.type, notification.title, notification.body, notification.orderId, notification.sourceEventId, notification.createdAt, this.recipients.erasureKey(notification.userId)],
    );
    if (stored.length === 0) return undefined;
    await this.created.stored(manager, notification);
    return notification;
  }

  /** A new user: their address is kept, and they are welcomed (unless erased meanwhile: a late event). */
  async welcome(manager: EntityManager, profile: RecipientProfile, eventId: string): Promise<void> {
    if (!(await this.recipients.remember(manager, profile))) return;
    await this.notify(manager, { userId: profile.userId, eventId }, NotificationTemplates.welcome(profile.displayName));
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
