import { Logger } from '@nestjs/common';
import type { MessagingConfig } from '../config/messaging.config';
import type { DeadLetterPublisher } from '../dead-letter/dead-letter-publisher';
import { backoffDelay } from '../retry/backoff';
import { consumerMetrics } from './consumer-metrics';
import type { EventStep } from './event-step';
import { ShuttingDownError, type EventTransactions } from './event-transactions';
import { isRejection, isTransientFailure } from './failure';

/**
 * One event, alone, until it is handled or dead-lettered: a failing handler is retried with
 * backoff EVENT_MAX_ATTEMPTS times, then dead-lettered (`handler-failed`); a contract rejection is
 * dead-lettered at once; a failure of the database itself is retried until it is back, never
 * dead-lettered. Stops (ShuttingDownError) when the consumer does.
 */
export class EventRetries {
  private readonly logger = new Logger(EventRetries.name);

  constructor(
    private readonly group: string,
    private readonly deps: { transactions: EventTransactions; deadLetters: DeadLetterPublisher; config: MessagingConfig; isRunning: () => boolean },
  ) {}

  async handle(step: EventStep, heartbeat: () => Promise<void>): Promise<void> {
    const { config, deadLetters } = this.deps;
    const { event, origin, message } = step;
    let attempts = 0;
    for (;;) {
      try {
        await this.deps.transactions.alone(step);
        return;
      } catch (error) {
        if (error instanceof ShuttingDownError || !this.deps.isRunning()) throw new ShuttingDownError('stopping before the event was handled');
        if (isRejection(error)) return deadLetters.send(origin, message, { reason: error.reason, error: error.message, attempts: attempts + 1 });
        const labels = { consumer_group: this.group, event_type: event.type };
        if (isTransientFailure(error)) {
          consumerMetrics.retried.inc({ ...labels, cause: 'dependency-unavailable' });
          const delay = backoffDelay(Math.min(attempts + 1, 6), config.EVENT_RETRY_INITIAL_MS, config.EVENT_RETRY_MAX_MS);
          this.logger.warn({ err: error, eventId: event.id, retryInMs: delay }, 'database unavailable while handling an event; retrying');
          await this.pause(delay, heartbeat);
          continue;
        }
        attempts += 1;
        if (attempts >= config.EVENT_MAX_ATTEMPTS) {
          return deadLetters.send(origin, message, { reason: 'handler-failed', error: (error as Error).message ?? String(error), attempts });
        }
        consumerMetrics.retried.inc({ ...labels, cause: 'handler-failed' });
        const delay = backoffDelay(attempts, config.EVENT_RETRY_INITIAL_MS, config.EVENT_RETRY_MAX_MS);
        this.logger.warn({ err: error, eventId: event.id, eventType: event.type, attempt: attempts, retryInMs: delay }, 'event handler failed; retrying');
        await this.pause(delay, heartbeat);
      }
    }
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
