import { Logger } from '@nestjs/common';
import { headerString } from '@platform/contracts';
import { counter } from '@platform/observability';
import { Partitioners, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type { EventOrigin } from '../kafka/event-origin';
import { eventTypeLabel } from './event-type-label';
import { publishDeadLetter } from './dead-letter';

const deadLettered = counter('events_dead_lettered_total', 'Events sent to the dead-letter topic, by reason.', ['consumer_group', 'event_type', 'reason']);

/** A consumer's way to its dead-letter topic: one producer, connected on first use, counted and logged. */
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
  }

  async send(origin: EventOrigin, message: KafkaMessage, failure: { reason: string; error: string; attempts: number }): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    await publishDeadLetter(this.producer, { message, topic: origin.topic, partition: origin.partition, consumerGroup: origin.consumerGroup, ...failure });
    deadLettered.inc({ consumer_group: origin.consumerGroup, event_type: eventTypeLabel(headerString(message.headers, 'ce_type')), reason: failure.reason });
    this.logger.warn({ reason: failure.reason, error: failure.error, ...origin }, 'event dead-lettered');
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
