import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PostgresListener } from '@platform/messaging';
import { DatabaseConfig, SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { MailSender } from '../email/mail-sender';

type Wake = () => void;

/** NOTIFY channel of new notifications, payload `<user id>:<notification id>` (trigger of migration 1764000000000). */
export const NOTIFICATIONS_CHANNEL = 'notifications_created';

/**
 * Fan-out of new notifications to every replica: a trigger NOTIFYs `<user id>:<notification id>`
 * on each insert, and each replica LISTENs once and wakes the streams it holds for that user (and
 * its mail sender). A dropped LISTEN connection wakes every stream when it is back, so each looks
 * for what it missed.
 */
@Injectable()
export class NotificationFanout implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly byUser = new Map<string, Set<Wake>>();
  private readonly listener: PostgresListener;

  constructor(
    @Inject(SERVICE) service: ServiceIdentity,
    database: DatabaseConfig,
    private readonly mailSender: MailSender,
  ) {
    this.listener = new PostgresListener({
      connectionString: database.DATABASE_URL,
      applicationName: `${service.name}-notification-fanout`,
      channel: NOTIFICATIONS_CHANNEL,
      onNotify: (payload) => this.notified(payload),
      onListening: () => this.wakeAll(),
    });
  }

  onApplicationBootstrap(): void {
    this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }

  /** Calls `wake` whenever a notification for the user may have been created; returns the unsubscribe. */
  subscribe(userId: string, wake: Wake): () => void {
    const wakes = this.byUser.get(userId) ?? new Set<Wake>();
    wakes.add(wake);
    this.byUser.set(userId, wakes);
    return () => {
      wakes.delete(wake);
      if (wakes.size === 0) this.byUser.delete(userId);
    };
  }

  private notified(payload: string): void {
    this.mailSender.wake();
    const userId = payload.split(':')[0];
    for (const wake of this.byUser.get(userId) ?? []) wake();
  }

  private wakeAll(): void {
    this.mailSender.wake();
    for (const wakes of this.byUser.values()) for (const wake of wakes) wake();
  }
}
