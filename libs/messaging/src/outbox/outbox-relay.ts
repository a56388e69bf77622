import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { counter } from '@platform/observability';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { outboxChannel } from '../schema/messaging-tables';
import { KAFKA, MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { WakeableSleep } from '../wakeable-sleep';

const published = counter('outbox_published_total', 'Outbox rows the relay published to Kafka.', ['event_type']);

interface OutboxRow {
  id: string;
  event_type: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: string;
}

const BLOCKED_RETRY_MS = 50;
const CLEANUP_INTERVAL_MS = 60_000;

/**
 * Publishes outbox rows to Kafka, in id order, keyed by aggregate, with acks from all in-sync
 * replicas, and marks them sent. Wakes on Postgres NOTIFY, polls slowly as a fallback.
 *
 * Several replicas may run it at once: rows are claimed with FOR UPDATE SKIP LOCKED, and a row is
 * held back while an earlier unsent row of the same aggregate is claimed by someone else, so one
 * aggregate's events never overtake each other.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly producer: Producer;
  private readonly tracer = trace.getTracer('@platform/messaging');
  private readonly sleeper = new WakeableSleep();
  private readonly table: string;
  private running = false;
  private producerConnected = false;
  private loop?: Promise<void>;
  private listener?: Promise<void>;
  private listenClient?: Client;
  private cleanupTimer?: NodeJS.Timeout;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly dataSource: DataSource,
  ) {
    this.table = `"${options.schema}"."outbox"`;
    // One request in flight keeps each partition's order across retries. Not the idempotent
    // producer: a resend after a failed batch may duplicate a message, which consumers' inboxes absorb.
    this.producer = kafka.producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
  }

  onApplicationBootstrap(): void {
    if (!this.options.relay.enabled) return;
    this.running = true;
    this.loop = this.run();
    this.listener = this.listen();
    this.cleanupTimer = setInterval(() => void this.cleanup(), CLEANUP_INTERVAL_MS);
    this.cleanupTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.cleanupTimer);
    this.sleeper.wake();
    await this.listenClient?.end().catch(() => undefined);
    await Promise.all([this.loop, this.listener]);
    await this.producer.disconnect().catch(() => undefined);
  }

  /** Publishes until the outbox is empty (or the relay stops). */
  private async drain(): Promise<void> {
    while (this.running) {
      const { claimed, blocked } = await this.publishBatch();
      if (blocked > 0) await new Promise((resolve) => setTimeout(resolve, BLOCKED_RETRY_MS));
      else if (claimed < this.options.relay.batchSize) return;
    }
  }

  private async run(): Promise<void> {
    let backoffMs = 0;
    while (this.running) {
      try {
        await this.drain();
        backoffMs = 0;
        await this.sleeper.sleep(this.options.relay.pollIntervalMs);
      } catch (error) {
        backoffMs = Math.min(Math.max(250, backoffMs * 2), 5_000);
        this.logger.warn({ err: error, retryInMs: backoffMs }, 'outbox relay could not publish; will retry');
        await this.sleeper.sleep(backoffMs);
      }
    }
  }

  /**
   * Claims up to a batch of rows, publishes the ones no other relay holds back, and marks them
   * sent — or, when Kafka refuses, records the error on them and throws after committing that.
   */
  private async publishBatch(): Promise<{ claimed: number; blocked: number }> {
    let failure: unknown;
    const result = await this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT "id", "event_type", "topic", "message_key", "headers", "payload" FROM ${this.table}
         WHERE "sent_at" IS NULL ORDER BY "id" LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.relay.batchSize],
      );
      if (rows.length === 0) return { claimed: 0, blocked: 0 };
      const blocked = await this.heldBack(manager, rows);
      const ready = rows.filter((row) => !blocked.has(row.id));
      if (ready.length === 0) return { claimed: rows.length, blocked: blocked.size };
      const ids = ready.map((row) => row.id);
      try {
        await this.connectProducer();
        await this.publish(ready);
      } catch (error) {
        failure = error;
        await manager.query(`UPDATE ${this.table} SET "attempts" = "attempts" + 1, "last_error" = $2 WHERE "id" = ANY($1::bigint[])`, [ids, String((error as Error).message).slice(0, 1000)]);
        return { claimed: rows.length, blocked: blocked.size };
      }
      await manager.query(`UPDATE ${this.table} SET "sent_at" = now(), "attempts" = "attempts" + 1 WHERE "id" = ANY($1::bigint[])`, [ids]);
      for (const row of ready) published.inc({ event_type: row.event_type });
      return { claimed: rows.length, blocked: blocked.size };
    });
    if (failure) throw failure;
    return result;
  }

  /** Rows whose aggregate has an earlier unsent row that another relay holds right now. */
  private async heldBack(manager: EntityManager, rows: OutboxRow[]): Promise<Set<string>> {
    const ids = rows.map((row) => row.id);
    const blocked: { id: string }[] = await manager.query(
      `SELECT o."id" FROM ${this.table} o
       WHERE o."id" = ANY($1::bigint[]) AND EXISTS (
         SELECT 1 FROM ${this.table} p
         WHERE p."message_key" = o."message_key" AND p."topic" = o."topic"
           AND p."sent_at" IS NULL AND p."id" < o."id" AND p."id" <> ALL($1::bigint[]))`,
      [ids],
    );
    return new Set(blocked.map((row) => String(row.id)));
  }

  /**
   * Sends a batch in one request per broker, in id order. Each message gets its own PRODUCER span,
   * a child of the trace context its row was written under, carried in the message's headers; the
   * kafkajs instrumentation is suppressed here, since it would parent a whole batch on one context.
   */
  private async publish(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const spans: Span[] = [];
    const topicMessages = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const parent = propagation.extract(ROOT_CONTEXT, row.headers);
      const span = this.tracer.startSpan(
        `send ${row.topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.operation.name': 'send',
            'messaging.destination.name': row.topic,
            'messaging.kafka.message.key': row.message_key,
            'messaging.message.id': row.headers['ce_id'] ?? '',
          },
        },
        parent,
      );
      spans.push(span);
      const headers: Record<string, string> = { ...row.headers };
      propagation.inject(trace.setSpan(parent, span), headers);
      const messages = topicMessages.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers });
      topicMessages.set(row.topic, messages);
    }
    try {
      await context.with(suppressTracing(ROOT_CONTEXT), () =>
        this.producer.sendBatch({ acks: -1, topicMessages: [...topicMessages].map(([topic, messages]) => ({ topic, messages })) }),
      );
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  private async connectProducer(): Promise<void> {
    if (this.producerConnected) return;
    await this.producer.connect();
    this.producerConnected = true;
  }

  private async listen(): Promise<void> {
    const channel = outboxChannel(this.options.schema);
    while (this.running) {
      const client = new Client({ connectionString: this.options.databaseUrl, application_name: `${this.options.service}-outbox-listener`, keepAlive: true });
      this.listenClient = client;
      try {
        const ended = new Promise((resolve) => {
          client.once('end', resolve);
          client.once('error', resolve);
        });
        await client.connect();
        client.on('notification', () => this.sleeper.wake());
        await client.query(`LISTEN "${channel}"`);
        this.sleeper.wake(); // rows may have arrived while we were not listening
        await ended;
      } catch (error) {
        if (this.running) this.logger.warn({ err: error }, 'outbox LISTEN connection failed; polling until it is back');
      } finally {
        await client.end().catch(() => undefined);
      }
      if (this.running) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  private async cleanup(): Promise<void> {
    try {
      await this.dataSource.query(
        `DELETE FROM ${this.table} WHERE "id" IN (
           SELECT "id" FROM ${this.table} WHERE "sent_at" < now() - ($1 || ' milliseconds')::interval LIMIT 10000)`,
        [String(this.options.relay.retentionMs)],
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox cleanup failed');
    }
  }
}
