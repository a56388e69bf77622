import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { EventStep } from './event-step';

const tracer = trace.getTracer('@platform/messaging');

const kafkaHeaders: TextMapGetter<KafkaMessage['headers']> = {
  keys: (headers) => Object.keys(headers ?? {}),
  get: (headers, key) => {
    const value = headers?.[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/**
 * Runs `work` under a CONSUMER span that continues the trace the event was published in (its
 * headers carry the producer's span), so the handler's queries and the events it writes belong
 * to that trace, whether the event is handled alone or with others.
 */
export async function inConsumerSpan<T>(step: EventStep, work: () => Promise<T>, outcome?: 'ignored'): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, step.message.headers, kafkaHeaders);
  const span = tracer.startSpan(
    `process ${step.origin.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': step.origin.topic,
        'messaging.destination.partition.id': String(step.origin.partition),
        'messaging.consumer.group.name': step.origin.consumerGroup,
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
