import { Logger } from '@nestjs/common';
import { counter, gauge } from '@platform/observability';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { deadLetterTopic, decodeEvent, EventCatalog, eventKey, findEventDefinition, headerString, parseEventMessage, type CloudEvent, type EventDefinition } from '@platform/contracts';
import { lastValueFrom } from 'rxjs';
import { Partitioners, type Admin, type Consumer, type EachMessagePayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { publishDeadLetter } from '../dead-letter/dead-letter';
import type { EventConsumerOptions } from '../messaging.options';
import { EventContext, type EventOrigin } from './event-context';
import { backoffDelay, isRejection, isTransientFailure } from './failure';
import { KAFKA_RETRY } from '../kafka/kafka-client';
import { ensureTopics, type TopicLayout } from '../kafka/topics';

export interface KafkaEventServerOptions extends EventConsumerOptions {
  kafka: Kafka;
  consumerGroup: string;
  schema: string;
  dataSource: DataSource;
  /** Create the group's dead-letter topic if it is missing (off where an operator owns topics). */
  ensureTopics?: TopicLayout;
}

class ShuttingDownError extends Error {}

const INBOX_CLEANUP_INTERVAL_MS = 10 * 60_000;
const KNOWN_TYPES = new Set(EventCatalog.map((definition) => definition.type));

/** Label value for an event type: catalog types only, so senders cannot blow up metric cardinality. */
function typeLabel(type: string | undefined): string {
  return type && KNOWN_TYPES.has(type) ? type : 'unknown';
}

const metrics = {
  handled: counter('events_handled_total', 'Events a consumer took in, by outcome: handled, duplicate (seen before), ignored (not for it).', ['consumer_group', 'event_type', 'outcome']),
  retried: counter('events_retried_total', 'Handler attempts that failed and were retried.', ['consumer_group', 'event_type', 'cause']),
  deadLettered: counter('events_dead_lettered_total', 'Events sent to the dead-letter topic, by reason.', ['consumer_group', 'event_type', 'reason']),
};

/**
 * A Nest microservice transport for the platform's events: consumes the topics its @OnEvent
 * handlers need and runs each event exactly once in effect.
 *
 * - envelope, type, version and payload are checked first; a message that fails is dead-lettered
 *   at once with the reason (no retry can fix it);
 * - the handler runs in a transaction that also records the event id in the inbox, so a
 *   redelivered or replayed event changes nothing;
 * - a handler failure is retried with backoff, then dead-lettered; a failure of the database
 *   itself is retried until it is back, never dead-lettered;
 * - offsets are committed only for messages that were handled or dead-lettered.
 */
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaEventServer.name);
  private consumer?: Consumer;
  private readonly deadLetters: Producer;
  private deadLettersConnected = false;
  private running = false;
  private starting?: Promise<void>;
  private cleanupTimer?: NodeJS.Timeout;
  private lagAdmin?: Admin;

  constructor(private readonly options: KafkaEventServerOptions) {
    super();
    this.deadLetters = options.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  listen(callback: () => void): void {
    this.running = true;
    gauge('kafka_consumer_lag', 'Messages in a partition the consumer group has not committed yet.', ['consumer_group', 'topic', 'partition'], (lag) => this.measureLag(lag));
    // Start in the background: a service must come up (and report not-ready) while Kafka is down.
    this.starting = this.start();
    this.cleanupTimer = setInterval(() => void this.cleanupInbox(), INBOX_CLEANUP_INTERVAL_MS);
    this.cleanupTimer.unref();
    callback();
  }

  async close(): Promise<void> {
    this.running = false;
    clearInterval(this.cleanupTimer);
    await this.starting;
    // disconnect() waits for the message in hand, commits offsets and leaves the group.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.deadLetters.disconnect().catch(() => undefined);
    await this.lagAdmin?.disconnect().catch(() => undefined);
  }

  /** Committed offset against end offset, per partition, read at scrape time. */
  private async measureLag(lag: { set(labels: Record<string, string>, value: number): void }): Promise<void> {
    try {
      this.lagAdmin ??= this.options.kafka.admin({ retry: { retries: 0 } });
      await this.lagAdmin.connect();
      const topics = this.subscribedTopics();
      const committed = await this.lagAdmin.fetchOffsets({ groupId: this.options.consumerGroup, topics });
      for (const { topic, partitions } of committed) {
        const ends = new Map((await this.lagAdmin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
        for (const { partition, offset } of partitions) {
          const end = ends.get(partition) ?? 0;
          lag.set({ consumer_group: this.options.consumerGroup, topic, partition: String(partition) }, Math.max(0, end - Math.max(0, Number(offset))));
        }
      }
    } catch {
      // Kafka is unreachable: readiness reports it; the last values stay.
    }
  }

  on(): never {
    throw new Error('KafkaEventServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /** The topics the registered handlers need. */
  subscribedTopics(): string[] {
    const topics = [...this.messageHandlers.keys()].map((key) => {
      const [type, version] = key.split('@v');
      return findEventDefinition(type, Number(version)).topic;
    });
    return [...new Set(topics)];
  }

  private async start(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      const consumer = this.options.kafka.consumer({
        groupId: this.options.consumerGroup,
        allowAutoTopicCreation: false,
        // A member that dies without leaving (SIGKILL, lost node) holds its partitions this long.
        sessionTimeout: 10_000,
        heartbeatInterval: 3_000,
        maxWaitTimeInMs: 1_000,
        retry: { ...KAFKA_RETRY, restartOnFailure: async () => true },
      });
      try {
        if (this.options.ensureTopics) await ensureTopics(this.options.kafka, [deadLetterTopic(this.options.consumerGroup)], this.options.ensureTopics);
        await consumer.connect();
        await consumer.subscribe({ topics: this.subscribedTopics(), fromBeginning: true });
        await consumer.run({
          autoCommit: true,
          autoCommitInterval: 1_000,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
          eachMessage: (payload) => this.handleMessage(payload),
        });
        this.consumer = consumer;
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart && this.running) {
            this.logger.error({ err: payload.error }, 'consumer crashed and will not restart by itself; recreating it');
            this.starting = consumer.disconnect().then(() => this.start());
          }
        });
        this.logger.log({ group: this.options.consumerGroup, topics: this.subscribedTopics() }, 'consuming events');
        return;
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        attempt += 1;
        const delay = backoffDelay(attempt, 500, 5_000);
        this.logger.warn({ err: error, retryInMs: delay }, 'could not start the Kafka consumer; will retry');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async handleMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const origin: EventOrigin = { topic, partition, offset: message.offset, consumerGroup: this.options.consumerGroup };
    let decoded: { definition: EventDefinition; event: CloudEvent<object> };
    try {
      decoded = decodeEvent(parseEventMessage(message));
    } catch (error) {
      if (!isRejection(error)) throw error;
      return this.deadLetter(origin, message, error.reason, error.message, 0);
    }
    const handler = this.getHandlerByPattern(eventKey(decoded.definition.type, decoded.definition.version));
    if (!handler) {
      metrics.handled.inc({ consumer_group: origin.consumerGroup, event_type: decoded.definition.type, outcome: 'ignored' });
      return; // a known event this service does not consume
    }

    let attempts = 0;
    for (;;) {
      try {
        await this.handleOnce(handler, decoded.event, origin);
        return;
      } catch (error) {
        if (error instanceof ShuttingDownError || !this.running) throw new ShuttingDownError('stopping before the event was handled');
        if (isRejection(error)) return this.deadLetter(origin, message, error.reason, error.message, attempts + 1);
        const retry = { consumer_group: origin.consumerGroup, event_type: decoded.event.type };
        if (isTransientFailure(error)) {
          metrics.retried.inc({ ...retry, cause: 'dependency-unavailable' });
          const delay = backoffDelay(Math.min(attempts + 1, 6), this.options.initialBackoffMs, this.options.maxBackoffMs);
          this.logger.warn({ err: error, eventId: decoded.event.id, retryInMs: delay }, 'database unavailable while handling an event; retrying');
          await this.pause(delay, heartbeat);
          continue;
        }
        attempts += 1;
        if (attempts >= this.options.maxAttempts) {
          return this.deadLetter(origin, message, 'handler-failed', (error as Error).message ?? String(error), attempts);
        }
        metrics.retried.inc({ ...retry, cause: 'handler-failed' });
        const delay = backoffDelay(attempts, this.options.initialBackoffMs, this.options.maxBackoffMs);
        this.logger.warn({ err: error, eventId: decoded.event.id, eventType: decoded.event.type, attempt: attempts, retryInMs: delay }, 'event handler failed; retrying');
        await this.pause(delay, heartbeat);
      }
    }
  }

  private async handleOnce(handler: NonNullable<ReturnType<Server['getHandlerByPattern']>>, event: CloudEvent<object>, origin: EventOrigin): Promise<void> {
    const outcome = await this.options.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO "${this.options.schema}"."inbox" ("consumer_group", "event_id", "event_type", "topic", "partition", "offset")
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING "event_id"`,
        [origin.consumerGroup, event.id, event.type, origin.topic, origin.partition, origin.offset],
      );
      if (inserted.length === 0) {
        this.logger.debug({ eventId: event.id }, 'event already handled; skipping');
        return 'duplicate';
      }
      const result = await handler(event, new EventContext([event, manager, origin]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      return 'handled';
    });
    metrics.handled.inc({ consumer_group: origin.consumerGroup, event_type: event.type, outcome });
  }

  private async deadLetter(origin: EventOrigin, message: KafkaMessage, reason: string, error: string, attempts: number): Promise<void> {
    if (!this.deadLettersConnected) {
      await this.deadLetters.connect();
      this.deadLettersConnected = true;
    }
    await publishDeadLetter(this.deadLetters, { message, topic: origin.topic, partition: origin.partition, consumerGroup: origin.consumerGroup, reason, error, attempts });
    metrics.deadLettered.inc({ consumer_group: origin.consumerGroup, event_type: typeLabel(headerString(message.headers, 'ce_type')), reason });
    this.logger.warn({ reason, error, ...origin }, 'event dead-lettered');
  }

  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!this.running) throw new ShuttingDownError('stopping');
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }

  private async cleanupInbox(): Promise<void> {
    try {
      await this.options.dataSource.query(
        `DELETE FROM "${this.options.schema}"."inbox" WHERE "handled_at" < now() - ($1 || ' milliseconds')::interval`,
        [String(this.options.inboxRetentionMs)],
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'inbox cleanup failed');
    }
  }
}
