import { Logger } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import { decodeEvent, eventKey, parseEventMessage, type CloudEvent, type EventDefinition } from '@platform/contracts';
import { counter } from '@platform/observability';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { MessagingConfig } from '../config/messaging.config';
import type { DeadLetterPublisher } from '../dead-letter/dead-letter-publisher';
import type { Inbox } from '../inbox/inbox';
import { backoffDelay } from '../retry/backoff';
import type { EventOrigin } from '../kafka/event-origin';
import { EventContext } from './event-context';
import { isRejection, isTransientFailure } from './failure';

const metrics = {
  handled: counter('events_handled_total', 'Events a consumer took in, by outcome: handled, duplicate (seen before), ignored (not for it).', ['consumer_group', 'event_type', 'outcome']),
  retried: counter('events_retried_total', 'Handler attempts that failed and were retried.', ['consumer_group', 'event_type', 'cause']),
};

/** Runs one handler for one event inside the given transaction; resolves when its effect is done. */
export type EventHandler = (event: CloudEvent<object>, context: EventContext) => Promise<void>;

export class ShuttingDownError extends Error {}

/**
 * Events one transaction takes at most: enough that a burst costs few commits, few enough that a
 * transaction (and the row locks it holds) stays short, and the consumer heartbeats and commits
 * its offsets often (kafkajs does neither by itself inside a batch).
 */
const MAX_EVENTS_PER_TRANSACTION = 50;

/** A message of a batch, decoded and paired with its handler (none: a known event this service does not consume). */
interface Step {
  message: KafkaMessage;
  origin: EventOrigin;
  event: CloudEvent<object>;
  handler?: EventHandler;
}

const kafkaHeaders: TextMapGetter<KafkaMessage['headers']> = {
  keys: (headers) => Object.keys(headers ?? {}),
  get: (headers, key) => {
    const value = headers?.[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/**
 * What happens to each message of a partition's batch, once, in order:
 * - envelope, type, version and payload are checked first; a message that fails is dead-lettered at
 *   once with the reason (no retry can fix it);
 * - the handlers run in a transaction that also records each event id in the inbox, so a
 *   redelivered or replayed event changes nothing; the events of a batch share one transaction
 *   (a consumer keeps pace with a write burst), and fall back to one transaction each when any of
 *   them fails;
 * - a handler failure is retried with backoff, then dead-lettered; a failure of the database itself
 *   is retried until it is back, never dead-lettered.
 * It resolves only when the message was handled, skipped or dead-lettered: then its offset may be committed.
 */
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);
  private readonly tracer = trace.getTracer('@platform/messaging');

  constructor(
    private readonly group: string,
    private readonly handlerFor: (key: string) => EventHandler | undefined,
    private readonly deps: { dataSource: DataSource; inbox: Inbox; deadLetters: DeadLetterPublisher; config: MessagingConfig; isRunning: () => boolean },
  ) {}

  /**
   * A batch of one partition, in order. Events that decode are handled together in one transaction
   * (their inbox rows and effects commit at once, up to MAX_EVENTS_PER_TRANSACTION); if anything in
   * it fails, nothing of it is kept and its events go one at a time, with the retries and dead
   * letters below. Each offset is resolved only once its event is handled, skipped or dead-lettered.
   */
  async processBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    let steps: Step[] = [];
    const flush = async () => {
      const pending = steps;
      steps = [];
      if (pending.length === 0) return;
      if (!(await this.handleTogether(pending))) {
        for (const step of pending) {
          if (step.handler) await this.handleWithRetries(step, heartbeat);
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
      let decoded: { definition: EventDefinition; event: CloudEvent<object> };
      try {
        decoded = decodeEvent(parseEventMessage(message));
      } catch (error) {
        if (!isRejection(error)) throw error;
        await flush();
        await this.deps.deadLetters.send(origin, message, { reason: error.reason, error: error.message, attempts: 0 });
        resolveOffset(message.offset);
        continue;
      }
      const handler = this.handlerFor(eventKey(decoded.definition.type, decoded.definition.version));
      const step: Step = { message, origin, event: decoded.event, handler };
      if (!handler) {
        // A known event this service does not consume: seen (its span says so), nothing to do.
        metrics.handled.inc({ consumer_group: this.group, event_type: decoded.definition.type, outcome: 'ignored' });
        await this.inSpanOf(step, async () => undefined, 'ignored');
      }
      steps.push(step);
      if (steps.length >= MAX_EVENTS_PER_TRANSACTION) await flush();
    }
    await flush();
  }

  /** All steps in one transaction; false when it failed (and nothing of it was kept). */
  private async handleTogether(steps: Step[]): Promise<boolean> {
    const handled = steps.filter((step) => step.handler);
    if (handled.length === 0) return true;
    if (handled.length === 1) return false; // the one-at-a-time path is the same work, with retries
    try {
      const outcomes = await this.deps.dataSource.transaction(async (manager) => {
        const results: string[] = [];
        for (const step of handled) results.push(await this.inSpanOf(step, () => this.handleIn(manager, step)));
        // Fails if a handler swallowed a database error: Postgres would answer COMMIT with a silent
        // ROLLBACK of the aborted transaction, and these events would count as handled.
        await manager.query('SELECT 1');
        return results;
      });
      outcomes.forEach((outcome, index) => metrics.handled.inc({ consumer_group: this.group, event_type: handled[index].event.type, outcome }));
      return true;
    } catch (error) {
      if (!this.deps.isRunning()) throw new ShuttingDownError('stopping before the events were handled');
      this.logger.warn({ err: error, events: handled.length }, 'events handled together failed; handling them one at a time');
      return false;
    }
  }

  /**
   * Runs `work` under a CONSUMER span that continues the trace the event was published in (its
   * headers carry the producer's span), so the handler's queries and the events it writes belong
   * to that trace, whether the event is handled alone or with others.
   */
  private async inSpanOf<T>(step: Step, work: () => Promise<T>, outcome?: 'ignored'): Promise<T> {
    const parent = propagation.extract(ROOT_CONTEXT, step.message.headers, kafkaHeaders);
    const span = this.tracer.startSpan(
      `process ${step.origin.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': step.origin.topic,
          'messaging.destination.partition.id': String(step.origin.partition),
          'messaging.consumer.group.name': this.group,
          'messaging.kafka.offset': Number(step.origin.offset),
          'messaging.message.id': step.event.id,
          'platform.event.type': step.event.type,
          ...(outcome ? { 'platform.event.outcome': outcome } : {}),
        },
      },
      parent,
    );
    try {
      return await context.with(trace.setSpan(parent, span), work);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  private async handleWithRetries(step: Step, heartbeat: () => Promise<void>): Promise<void> {
    const { config } = this.deps;
    const { event, origin, message } = step;
    let attempts = 0;
    for (;;) {
      try {
        await this.inSpanOf(step, () => this.handleOnce(step));
        return;
      } catch (error) {
        if (error instanceof ShuttingDownError || !this.deps.isRunning()) throw new ShuttingDownError('stopping before the event was handled');
        if (isRejection(error)) return this.deps.deadLetters.send(origin, message, { reason: error.reason, error: error.message, attempts: attempts + 1 });
        const labels = { consumer_group: this.group, event_type: event.type };
        if (isTransientFailure(error)) {
          metrics.retried.inc({ ...labels, cause: 'dependency-unavailable' });
          const delay = backoffDelay(Math.min(attempts + 1, 6), config.EVENT_RETRY_INITIAL_MS, config.EVENT_RETRY_MAX_MS);
          this.logger.warn({ err: error, eventId: event.id, retryInMs: delay }, 'database unavailable while handling an event; retrying');
          await this.pause(delay, heartbeat);
          continue;
        }
        attempts += 1;
        if (attempts >= config.EVENT_MAX_ATTEMPTS) {
          return this.deps.deadLetters.send(origin, message, { reason: 'handler-failed', error: (error as Error).message ?? String(error), attempts });
        }
        metrics.retried.inc({ ...labels, cause: 'handler-failed' });
        const delay = backoffDelay(attempts, config.EVENT_RETRY_INITIAL_MS, config.EVENT_RETRY_MAX_MS);
        this.logger.warn({ err: error, eventId: event.id, eventType: event.type, attempt: attempts, retryInMs: delay }, 'event handler failed; retrying');
        await this.pause(delay, heartbeat);
      }
    }
  }

  private async handleOnce(step: Step): Promise<void> {
    const outcome = await this.deps.dataSource.transaction((manager) => this.handleIn(manager, step));
    metrics.handled.inc({ consumer_group: this.group, event_type: step.event.type, outcome });
  }

  /** The inbox row and the handler's effect, in the caller's transaction. */
  private async handleIn(manager: EntityManager, { event, origin, handler }: Step): Promise<'handled' | 'duplicate'> {
    if (!(await this.deps.inbox.record(manager, event, origin))) {
      this.logger.debug({ eventId: event.id }, 'event already handled; skipping');
      return 'duplicate';
    }
    await handler!(event, new EventContext([event, manager, origin]));
    return 'handled';
  }

  /** Waits between attempts, heartbeating so the group keeps the partition, and stops on shutdown. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!this.deps.isRunning()) throw new ShuttingDownError('stopping');
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }
}
