import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { KAFKA } from '../kafka/kafka-client';
import { EventTimeline, wallClock } from '../timeline/event-timeline';
import type { OutboxRow } from './outbox-row';

type Message = { key: string; value: string; headers: Record<string, string> };

/**
 * Sends outbox rows to Kafka: one request per broker per batch, in row order, acks from all
 * in-sync replicas, one request in flight (so retries keep each partition's order). Not the
 * idempotent producer: a resend after a failed batch may duplicate a message, which consumers'
 * inboxes absorb.
 */
@Injectable()
export class OutboxPublisher implements OnModuleDestroy {
  private readonly producer: Producer;
  private readonly tracer = trace.getTracer('@platform/messaging');
  private connected = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly timeline: EventTimeline,
  ) {
    this.producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
  }

  /**
   * Each message gets its own PRODUCER span, a child of the trace context its row was written
   * under, carried in the message's headers; the kafkajs instrumentation is suppressed here, since
   * it would parent a whole batch on one context.
   */
  async publish(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    const spans: Span[] = [];
    const byTopic = new Map<string, Message[]>();
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
      byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), { key: row.message_key, value: row.payload, headers }]);
    }
    try {
      const sent = wallClock();
      await context.with(suppressTracing(ROOT_CONTEXT), () =>
        this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }),
      );
      const acked = wallClock();
      for (const row of rows) {
        this.timeline.mark(row.headers['ce_id'], 'produceSent', sent);
        this.timeline.mark(row.headers['ce_id'], 'acked', acked);
      }
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
