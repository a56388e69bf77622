import type { EachBatchPayload } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { MessagingConfig } from '../config/messaging.config';
import type { DeadLetterPublisher } from '../dead-letter/dead-letter-publisher';
import type { Inbox } from '../inbox/inbox';
import type { EventOrigin } from '../kafka/event-origin';
import { wallClock, type EventTimeline } from '../timeline/event-timeline';
import { consumerMetrics } from './consumer-metrics';
import { EventRetries } from './event-retries';
import { inConsumerSpan } from './event-span';
import { decodeStep, type EventHandler, type EventStep } from './event-step';
import { EventTransactions } from './event-transactions';
import type { TransactionSlots } from './transaction-slots';
import { isRejection } from './failure';

export type { EventHandler } from './event-step';
export { ShuttingDownError } from './event-transactions';

/**
 * Events one transaction takes at most: enough that a burst costs few commits, few enough that a
 * transaction (and the row locks it holds) stays short, and the consumer heartbeats and commits
 * its offsets often (kafkajs does neither by itself inside a batch).
 */
export const MAX_EVENTS_PER_TRANSACTION = 50;

/**
 * What happens to each message of a partition's batch, once, in order:
 * - it is checked first (`decodeStep`); one that breaks the contract is dead-lettered at once;
 * - the events that pass are handled together in one transaction with their inbox rows
 *   (`EventTransactions`), up to MAX_EVENTS_PER_TRANSACTION; if that fails, nothing of it is kept
 *   and they go one at a time, with retries and dead letters (`EventRetries`);
 * - an offset is resolved only once its event was handled, skipped or dead-lettered, and offsets
 *   are committed after each transaction.
 */
export class EventProcessor {
  private readonly transactions: EventTransactions;
  private readonly retries: EventRetries;

  constructor(
    private readonly group: string,
    private readonly handlerFor: (key: string) => EventHandler | undefined,
    private readonly deps: { dataSource: DataSource; slots: TransactionSlots; inbox: Inbox; deadLetters: DeadLetterPublisher; config: MessagingConfig; isRunning: () => boolean; timeline: EventTimeline },
  ) {
    this.transactions = new EventTransactions(group, deps);
    this.retries = new EventRetries(group, { ...deps, transactions: this.transactions });
  }

  /** A batch of one partition, in order. */
  async processBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const fetchedAt = wallClock();
    let steps: EventStep[] = [];
    const flush = async () => {
      const pending = steps;
      steps = [];
      if (pending.length === 0) return;
      if (!(await this.transactions.together(pending))) {
        for (const step of pending) {
          if (step.handler) await this.retries.handle(step, heartbeat);
          resolveOffset(step.message.offset);
          await heartbeat();
        }
      } else {
        for (const step of pending) resolveOffset(step.message.offset);
      }
      await heartbeat();
      await commitOffsetsIfNecessary();
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const origin: EventOrigin = { topic, partition, offset: message.offset, consumerGroup: this.group };
      let step: EventStep;
      try {
        step = decodeStep(message, origin, this.handlerFor);
      } catch (error) {
        if (!isRejection(error)) throw error;
        await flush();
        await this.deps.deadLetters.send(origin, message, { reason: error.reason, error: error.message, attempts: 0 });
        resolveOffset(message.offset);
        continue;
      }
      this.deps.timeline.mark(step.event.id, 'fetched', fetchedAt);
      if (!step.handler) {
        // A known event this service does not consume: seen (its span says so), nothing to do.
        consumerMetrics.handled.inc({ consumer_group: this.group, event_type: step.event.type, outcome: 'ignored' });
        await inConsumerSpan(step, async () => undefined, 'ignored');
      }
      steps.push(step);
      if (steps.length >= MAX_EVENTS_PER_TRANSACTION) await flush();
    }
    await flush();
  }
}
