import { Inject, Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { createEvent, toEventMessage, type EventDefinition, type PayloadOf } from '@platform/contracts';
import { SERVICE, type ServiceIdentity } from '@platform/service-kit';
import type { EntityManager } from 'typeorm';
import { messagingTable } from '../schema/messaging-tables';
import { EventTimeline } from '../timeline/event-timeline';

/** One event for `Outbox.addAll`, typed by its definition. */
export interface OutboxEvent<TDefinition extends EventDefinition = EventDefinition> {
  definition: TDefinition;
  payload: PayloadOf<TDefinition>;
}

export function outboxEvent<TDefinition extends EventDefinition>(definition: TDefinition, payload: PayloadOf<TDefinition>): OutboxEvent {
  return { definition, payload } as OutboxEvent;
}

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
    const [id] = await this.addAll(manager, [outboxEvent(definition, payload)]);
    return id;
  }

  /** Several events, in this order, with one statement (a round trip, and a socket write, fewer than one each). */
  async addAll(manager: EntityManager, events: readonly OutboxEvent[]): Promise<string[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('Outbox.add needs the EntityManager of an open transaction');
    }
    const params: unknown[] = [];
    const ids: string[] = [];
    for (const { definition, payload } of events) {
      const event = createEvent(definition, payload, `/${this.service.name}`);
      const message = toEventMessage(event);
      // The trace context the event was written under travels with it through Kafka.
      const headers: Record<string, string> = { ...message.headers };
      propagation.inject(context.active(), headers);
      params.push(event.id, event.type, definition.topic, message.key, JSON.stringify(headers), message.value);
      ids.push(event.id);
    }
    const rows = events.map((_, row) => `(${[1, 2, 3, 4, 5, 6].map((column) => `$${row * 6 + column}`).join(', ')})`).join(', ');
    await manager.query(`INSERT INTO ${this.table} ("event_id", "event_type", "topic", "message_key", "headers", "payload") VALUES ${rows}`, params);
    for (const id of ids) this.timeline.writtenIn(manager.queryRunner, id);
    return ids;
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
