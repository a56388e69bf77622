import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { counter } from '@platform/observability';
import { SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { MessagingConfig } from '../config/messaging.config';
import { backoffDelay, sleep } from '../retry/backoff';
import { WakeableSleep } from '../retry/wakeable-sleep';
import { messagingTable } from '../schema/messaging-tables';
import { EventTimeline, wallClock } from '../timeline/event-timeline';
import { OutboxCleanup } from './outbox-cleanup';
import { OutboxListener } from './outbox-listener';
import { OutboxPublisher } from './outbox-publisher';
import type { OutboxRow } from './outbox-row';
import { RelayConnection } from './relay-connection';

const publishedTotal = counter('outbox_published_total', 'Outbox rows the relay published to Kafka.', ['event_type']);

const BLOCKED_RETRY_MS = 50;

/**
 * Publishes outbox rows to Kafka in id order and marks them sent. Wakes on Postgres NOTIFY, polls
 * slowly as a fallback.
 *
 * Several replicas may run it at once: rows are claimed with FOR UPDATE SKIP LOCKED, and a row is
 * held back while an earlier unsent row of the same aggregate is claimed by someone else, so one
 * aggregate's events never overtake each other.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly sleeper = new WakeableSleep();
  private readonly table: string;
  private readonly claim: string;
  private running = false;
  private loop?: Promise<void>;
  /** When the last NOTIFY arrived (for the event timeline). */
  private notifiedAt = 0;

  constructor(
    private readonly config: MessagingConfig,
    @Inject(SERVICE) service: ServiceIdentity,
    private readonly connection: RelayConnection,
    private readonly publisher: OutboxPublisher,
    private readonly listener: OutboxListener,
    private readonly cleanup: OutboxCleanup,
    private readonly timeline: EventTimeline,
  ) {
    this.table = messagingTable(service.schema as string, 'outbox');
    // One round trip claims a batch and tells which of its rows wait for an earlier unsent row of
    // their aggregate that another relay holds right now (unsent, earlier, and not in this batch).
    // MATERIALIZED: the locking scan runs once, and the check sees exactly the rows it locked.
    this.claim = `WITH claimed AS MATERIALIZED (
        SELECT "id", "event_type", "topic", "message_key", "headers", "payload" FROM ${this.table}
        WHERE "sent_at" IS NULL ORDER BY "id" LIMIT $1 FOR UPDATE SKIP LOCKED)
      SELECT c.*, EXISTS (
          SELECT 1 FROM ${this.table} p
          WHERE p."message_key" = c."message_key" AND p."topic" = c."topic" AND p."sent_at" IS NULL
            AND p."id" < c."id" AND p."id" NOT IN (SELECT "id" FROM claimed)) AS "blocked"
      FROM claimed c ORDER BY c."id"`;
  }

  onApplicationBootstrap(): void {
    if (!this.config.OUTBOX_RELAY_ENABLED) return;
    this.running = true;
    this.loop = this.run();
    this.listener.start(() => {
      this.notifiedAt = wallClock();
      this.sleeper.wake();
    });
    this.cleanup.start();
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cleanup.stop();
    this.sleeper.wake();
    await this.listener.stop();
    await this.loop;
    await this.connection.close();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.drain();
        failures = 0;
        await this.sleeper.sleep(this.config.OUTBOX_POLL_INTERVAL_MS);
      } catch (error) {
        const retryInMs = backoffDelay(++failures, 250, 5_000);
        this.logger.warn({ err: error, retryInMs }, 'outbox relay could not publish; will retry');
        await this.sleeper.sleep(retryInMs);
      }
    }
  }

  /** Publishes until the outbox is empty (or the relay stops). */
  private async drain(): Promise<void> {
    while (this.running) {
      const { claimed, blocked } = await this.publishBatch();
      if (blocked > 0) await sleep(BLOCKED_RETRY_MS);
      else if (claimed < this.config.OUTBOX_BATCH_SIZE) return;
    }
  }

  /**
   * Claims up to a batch of rows, publishes the ones no other relay holds back, and marks them
   * sent — or, when Kafka refuses, records the error on them and throws after committing that.
   */
  private async publishBatch(): Promise<{ claimed: number; blocked: number }> {
    let failure: unknown;
    let published: OutboxRow[] = [];
    const notifiedAt = this.notifiedAt;
    const result = await this.connection.transaction(async (query) => {
      const rows = await query<OutboxRow & { blocked: boolean }>(this.claim, [this.config.OUTBOX_BATCH_SIZE]);
      if (rows.length === 0) return { claimed: 0, blocked: 0 };
      const claimedAt = wallClock();
      for (const row of rows) {
        this.timeline.mark(row.headers['ce_id'], 'notified', notifiedAt);
        this.timeline.mark(row.headers['ce_id'], 'claimed', claimedAt);
      }
      const ready = rows.filter((row) => !row.blocked);
      const blocked = rows.length - ready.length;
      if (ready.length === 0) return { claimed: rows.length, blocked };
      const ids = ready.map((row) => row.id);
      try {
        await this.publisher.publish(ready);
      } catch (error) {
        failure = error;
        await query(`UPDATE ${this.table} SET "attempts" = "attempts" + 1, "last_error" = $2 WHERE "id" = ANY($1::bigint[])`, [ids, String((error as Error).message).slice(0, 1000)]);
        return { claimed: rows.length, blocked };
      }
      await query(`UPDATE ${this.table} SET "sent_at" = now(), "attempts" = "attempts" + 1 WHERE "id" = ANY($1::bigint[])`, [ids]);
      published = ready;
      return { claimed: rows.length, blocked };
    });
    if (failure) throw failure;
    const committedAt = wallClock();
    for (const row of published) {
      publishedTotal.inc({ event_type: row.event_type });
      this.timeline.mark(row.headers['ce_id'], 'relayCommitted', committedAt);
    }
    return result;
  }
}
