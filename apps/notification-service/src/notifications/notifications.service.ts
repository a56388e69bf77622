import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PAGE_LIMITS } from '@platform/api';
import { DomainError, keysetPage } from '@platform/service-kit';
import { DataSource, IsNull, Not, type EntityManager } from 'typeorm';
import type { NotificationContent } from './notification-templates';
import { ErasedRecipientEntity, NotificationEntity } from './notification.entity';

function erasureHash(userId: string): string {
  return createHash('sha256').update(`recipient:${userId}`).digest('hex');
}

export interface NotificationSource {
  userId: string;
  eventId: string;
  orderId?: string;
}

@Injectable()
export class NotificationsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a notification made from an event, unless its recipient has been erased. */
  async notify(manager: EntityManager, source: NotificationSource, content: NotificationContent): Promise<void> {
    if (await manager.existsBy(ErasedRecipientEntity, { userIdHash: erasureHash(source.userId) })) return;
    await manager.insert(NotificationEntity, {
      id: randomUUID(),
      userId: source.userId,
      orderId: source.orderId ?? null,
      sourceEventId: source.eventId,
      ...content,
      readAt: null,
      createdAt: new Date(),
    });
  }

  /** Erasure: every notification of the user goes; a hash of the id stops late events. */
  async erase(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(NotificationEntity, { userId });
    await manager.upsert(ErasedRecipientEntity, { userIdHash: erasureHash(userId), erasedAt: new Date() }, ['userIdHash']);
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
