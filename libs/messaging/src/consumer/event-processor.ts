import { Logger } from '@nestjs/common';
import { decodeEvent, eventKey, parseEventMessage, type CloudEvent, type EventDefinition } from '@platform/contracts';
import { counter } from '@platform/observability';
import type { EachMessagePayload, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
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
 * What happens to one message, once:
 * - envelope, type, version and payload are checked first; a message that fails is dead-lettered at
 *   once with the reason (no retry can fix it);
 * - the handler runs in a transaction that also records the event id in the inbox, so a
 *   redelivered or replayed event changes nothing;
 * - a handler failure is retried with backoff, then dead-lettered; a failure of the database itself
 *   is retried until it is back, never dead-lettered.
 * It resolves only when the message was handled, skipped or dead-lettered: then its offset may be committed.
 */
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);

  constructor(
    private readonly group: string,
    private readonly handlerFor: (key: string) => EventHandler | undefined,
    private readonly deps: { dataSource: DataSource; inbox: Inbox; deadLetters: DeadLetterPublisher; config: MessagingConfig; isRunning: () => boolean },
  ) {}

  async process({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const origin: EventOrigin = { topic, partition, offset: message.offset, consumerGroup: this.group };
    let decoded: { definition: EventDefinition; event: CloudEvent<object> };
    try {
      decoded = decodeEvent(parseEventMessage(message));
    } catch (error) {
      if (!isRejection(error)) throw error;
      return this.deps.deadLetters.send(origin, message, { reason: error.reason, error: error.message, attempts: 0 });
    }
    const handler = this.handlerFor(eventKey(decoded.definition.type, decoded.definition.version));
    if (!handler) {
      metrics.handled.inc({ consumer_group: this.group, event_type: decoded.definition.type, outcome: 'ignored' });
      return; // a known event this service does not consume
    }
    await this.handleWithRetries(handler, decoded.event, origin, message, heartbeat);
  }

  private async handleWithRetries(handler: EventHandler, event: CloudEvent<object>, origin: EventOrigin, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    const { config } = this.deps;
    let attempts = 0;
    for (;;) {
      try {
        await this.handleOnce(handler, event, origin);
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

  private async handleOnce(handler: EventHandler, event: CloudEvent<object>, origin: EventOrigin): Promise<void> {
    const outcome = await this.deps.dataSource.transaction(async (manager) => {
      if (!(await this.deps.inbox.record(manager, event, origin))) {
        this.logger.debug({ eventId: event.id }, 'event already handled; skipping');
        return 'duplicate';
      }
      await handler(event, new EventContext([event, manager, origin]));
      return 'handled';
    });
    metrics.handled.inc({ consumer_group: this.group, event_type: event.type, outcome });
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
