import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PostgresListener } from '@platform/messaging';
import { DatabaseConfig, SERVICE, type ServiceIdentity } from '@platform/service-kit';
import type { EntityManager } from 'typeorm';
import type { NotificationEntity } from './notification.entity';

/** NOTIFY channel of new notifications, payload `<user id>:<notification id>` (trigger of migration 1764000000000). */
export const NOTIFICATIONS_CHANNEL = 'notifications_created';

/** Writes what must commit with a new notification, in its transaction. */
export type StoredListener = (manager: EntityManager, notification: NotificationEntity) => Promise<void>;

/** Hears of committed notifications: each one (from any replica), and `missed` when any may have gone unheard. */
export interface CommittedListener {
  created(userId: string, notificationId: string): void;
  missed(): void;
}

/**
 * "A notification was created": the one signal the features that follow notifications subscribe
 * to (email, the live stream), at two moments:
 * - stored, in the notification's own transaction: email records its delivery there, so a
 *   notification never commits without its mail;
 * - committed, on every replica: a trigger NOTIFYs `<user id>:<notification id>` at commit, and each
 *   replica holds one LISTEN connection; when it is re-established, listeners hear `missed` (look
 *   for yourselves: notifications may have committed while nobody listened).
 */
@Injectable()
export class NotificationCreated implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly storedListeners: StoredListener[] = [];
  private readonly committedListeners: CommittedListener[] = [];
  private readonly listener: PostgresListener;

  constructor(@Inject(SERVICE) service: ServiceIdentity, database: DatabaseConfig) {
    this.listener = new PostgresListener({
      connectionString: database.DATABASE_URL,
      applicationName: `${service.name}-notification-fanout`,
      channel: NOTIFICATIONS_CHANNEL,
      onNotify: (payload) => {
        const [userId, notificationId] = payload.split(':');
        for (const listener of this.committedListeners) listener.created(userId, notificationId);
      },
      onListening: () => {
        for (const listener of this.committedListeners) listener.missed();
      },
    });
  }

  onStored(listener: StoredListener): void {
    this.storedListeners.push(listener);
  }

  onCommitted(listener: CommittedListener): void {
    this.committedListeners.push(listener);
  }

  /** Called by NotificationsService once the notification is inserted, in its transaction. */
  async stored(manager: EntityManager, notification: NotificationEntity): Promise<void> {
    for (const listener of this.storedListeners) await listener(manager, notification);
  }

  onApplicationBootstrap(): void {
    this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }
}
