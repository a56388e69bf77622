import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent } from 'typeorm';
import { MessagingConfig } from '../config/messaging.config';

/**
 * The steps of an event between the two services, in order: its transaction commits, the relay
 * hears the NOTIFY, claims the row, hands it to kafkajs, gets the broker's ack and commits the
 * "sent" mark; the consumer's fetch returns it, its handling starts (its transaction is asked for),
 * the transaction has begun (a pooled connection, START TRANSACTION), and it commits.
 */
export const TIMELINE_STEPS = ['committed', 'notified', 'claimed', 'produceSent', 'acked', 'relayCommitted', 'fetched', 'handlerStart', 'begun', 'stored'] as const;
export type TimelineStep = (typeof TIMELINE_STEPS)[number];
export type EventTimelineEntry = Partial<Record<TimelineStep, number>>;

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes of one machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * When each event passed each step in this process (EVENT_TIMELINE; off by default), by event id,
 * for the last CAPACITY events: `./platform bench` joins the producer's and the consumer's entries
 * to see where an event waits. Marking is a Map write; when off, nothing is kept.
 */
@Injectable()
export class EventTimeline implements OnModuleInit {
  static readonly CAPACITY = 20_000;
  readonly enabled: boolean;
  private readonly entries = new Map<string, EventTimelineEntry>();
  /** Event ids written in a transaction not yet committed. */
  private readonly uncommitted = new WeakMap<QueryRunner, string[]>();

  constructor(
    config: MessagingConfig,
    private readonly dataSource: DataSource,
  ) {
    this.enabled = config.EVENT_TIMELINE;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    const commits: EntitySubscriberInterface = { afterTransactionCommit: (event: TransactionCommitEvent) => this.transactionCommitted(event.queryRunner) };
    this.dataSource.subscribers.push(commits);
  }

  mark(eventId: string, step: TimelineStep, at = wallClock()): void {
    if (!this.enabled) return;
    let entry = this.entries.get(eventId);
    if (!entry) {
      if (this.entries.size >= EventTimeline.CAPACITY) this.entries.delete(this.entries.keys().next().value as string);
      entry = {};
      this.entries.set(eventId, entry);
    }
    entry[step] ??= at;
  }

  /** An event was written in this transaction: it is `committed` when the transaction is. */
  writtenIn(queryRunner: QueryRunner | undefined, eventId: string): void {
    if (!this.enabled || !queryRunner) return;
    const ids = this.uncommitted.get(queryRunner);
    if (ids) ids.push(eventId);
    else this.uncommitted.set(queryRunner, [eventId]);
  }

  /** Entries with a step at or after `since` (wall-clock ms). */
  since(since: number): Record<string, EventTimelineEntry> {
    const found: Record<string, EventTimelineEntry> = {};
    for (const [eventId, entry] of this.entries) if (Object.values(entry).some((at) => at >= since)) found[eventId] = entry;
    return found;
  }

  private transactionCommitted(queryRunner: QueryRunner): void {
    const ids = this.uncommitted.get(queryRunner);
    if (!ids) return;
    this.uncommitted.delete(queryRunner);
    const at = wallClock();
    for (const id of ids) this.mark(id, 'committed', at);
  }
}
