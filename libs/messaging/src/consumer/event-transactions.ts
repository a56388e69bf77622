import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Inbox } from '../inbox/inbox';
import { wallClock, type EventTimeline } from '../timeline/event-timeline';
import { consumerMetrics } from './consumer-metrics';
import { EventContext } from './event-context';
import { inConsumerSpan } from './event-span';
import type { EventStep } from './event-step';
import type { TransactionSlots } from './transaction-slots';

export class ShuttingDownError extends Error {}

/**
 * Handlers run in a transaction that also records each event id in the inbox, so a redelivered or
 * replayed event changes nothing: several events in one transaction, or one. Every transaction
 * takes one of the consumer's slots first (`TransactionSlots`), so the consumer never holds more
 * than its share of the pool.
 */
export class EventTransactions {
  private readonly logger = new Logger(EventTransactions.name);

  constructor(
    private readonly group: string,
    private readonly deps: { dataSource: DataSource; slots: TransactionSlots; inbox: Inbox; timeline: EventTimeline; isRunning: () => boolean },
  ) {}

  /**
   * The steps that have a handler, in order, in one transaction: true when it committed, false
   * when it failed (nothing of it was kept; the caller goes one at a time). One such step alone is
   * left to the caller too: the one-at-a-time path is the same work, with retries.
   */
  async together(steps: EventStep[]): Promise<boolean> {
    const handled = steps.filter((step) => step.handler);
    if (handled.length === 0) return true;
    if (handled.length === 1) return false;
    const startedAt = wallClock();
    for (const step of handled) this.deps.timeline.mark(step.event.id, 'handlerStart', startedAt);
    try {
      const outcomes = await this.transaction(async (manager) => {
        const begunAt = wallClock();
        for (const step of handled) this.deps.timeline.mark(step.event.id, 'begun', begunAt);
        const results: string[] = [];
        for (const step of handled) results.push(await inConsumerSpan(step, () => this.handleIn(manager, step)));
        // Fails if a handler swallowed a database error: Postgres would answer COMMIT with a silent
        // ROLLBACK of the aborted transaction, and these events would count as handled.
        await manager.query('SELECT 1');
        return results;
      });
      const storedAt = wallClock();
      handled.forEach((step, index) => {
        this.deps.timeline.mark(step.event.id, 'stored', storedAt);
        consumerMetrics.handled.inc({ consumer_group: this.group, event_type: step.event.type, outcome: outcomes[index] });
      });
      return true;
    } catch (error) {
      if (!this.deps.isRunning()) throw new ShuttingDownError('stopping before the events were handled');
      this.logger.warn({ err: error, events: handled.length }, 'events handled together failed; handling them one at a time');
      return false;
    }
  }

  /** One event in a transaction of its own; throws what the handler or the database threw. */
  async alone(step: EventStep): Promise<void> {
    this.deps.timeline.mark(step.event.id, 'handlerStart');
    const outcome = await inConsumerSpan(step, () => this.transaction((manager) => this.handleIn(manager, step)));
    this.deps.timeline.mark(step.event.id, 'stored');
    consumerMetrics.handled.inc({ consumer_group: this.group, event_type: step.event.type, outcome });
  }

  /**
   * A transaction in one of the consumer's slots: it waits for a slot before it takes a connection,
   * and opens none once the consumer stopped meanwhile (the events' offsets stay unresolved; the
   * partition's next owner handles them), so a stop waits for no queue of transactions.
   */
  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.deps.slots.run(() => {
      if (!this.deps.isRunning()) throw new ShuttingDownError('stopping before the events were handled');
      return this.deps.dataSource.transaction(work);
    });
  }

  /** The inbox row and the handler's effect, in the caller's transaction. */
  private async handleIn(manager: EntityManager, { event, origin, handler }: EventStep): Promise<'handled' | 'duplicate'> {
    this.deps.timeline.mark(event.id, 'begun');
    if (!(await this.deps.inbox.record(manager, event, origin))) {
      this.logger.debug({ eventId: event.id }, 'event already handled; skipping');
      return 'duplicate';
    }
    await handler!(event, new EventContext([event, manager, origin]));
    return 'handled';
  }
}
