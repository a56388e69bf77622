import { Inject, Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { createEvent, toEventMessage, type EventDefinition, type PayloadOf } from '@platform/contracts';
import { SERVICE, type ServiceIdentity } from '@platform/service-kit';
import type { EntityManager } from 'typeorm';
import { messagingTable } from '../schema/messaging-tables';
import { EventTimeline } from '../timeline/event-timeline';

/**
 * Records events in the service's outbox table, inside the caller's transaction: the state change
 * and its event commit together or not at all. The relay publishes them to Kafka afterwards.
 */
@Injectable()
export class Outbox {
  private readonly table: string;

  constructor(
    @Inject(SERVICE) private readonly service: ServiceIdentity,
    private readonly timeline: EventTimeline,
  ) {
    this.table = messagingTable(service.schema as string, 'outbox');
  }

  async add<TDefinition extends EventDefinition>(manager: EntityManager, definition: TDefinition, payload: PayloadOf<TDefinition>): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('Outbox.add needs the EntityManager of an open transaction');
    }
    const event = createEvent(definition, payload, `/${this.service.name}`);
    const message = toEventMessage(event);
    // The trace context the event was written under travels with it through Kafka.
    const headers: Record<string, string> = { ...message.headers };
    propagation.inject(context.active(), headers);
    await manager.query(
      `INSERT INTO ${this.table} ("event_id", "event_type", "topic", "message_key", "headers", "payload")
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.id, event.type, definition.topic, message.key, JSON.stringify(headers), message.value],
    );
    this.timeline.writtenIn(manager.queryRunner, event.id);
    return event.id;
  }

  /**
   * Erasure: removes every outbox row of one aggregate, sent or not, so no earlier event about an
   * erased subject (with its personal data) stays in the table or still goes out. Call it before
   * adding the erasure event itself.
   */
  async eraseAggregate(manager: EntityManager, aggregateId: string): Promise<void> {
    await manager.query(`DELETE FROM ${this.table} WHERE "message_key" = $1`, [aggregateId]);
  }
}
