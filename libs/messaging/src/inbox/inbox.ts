import type { CloudEvent } from '@platform/contracts';
import type { EntityManager } from 'typeorm';
import type { EventOrigin } from '../kafka/event-origin';
import { messagingTable } from '../schema/messaging-tables';

/**
 * The consumer's memory of handled events, in the service's own schema. An event id is recorded in
 * the same transaction as the handler's effect, so a redelivered or replayed event changes nothing.
 */
export class Inbox {
  private readonly table: string;

  constructor(schema: string) {
    this.table = messagingTable(schema, 'inbox');
  }

  /** Records the event as handled by the group; false when it already was (a duplicate). */
  async record(manager: EntityManager, event: CloudEvent<object>, origin: EventOrigin): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO ${this.table} ("consumer_group", "event_id", "event_type", "topic", "partition", "offset")
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING "event_id"`,
      [origin.consumerGroup, event.id, event.type, origin.topic, origin.partition, origin.offset],
    );
    return inserted.length > 0;
  }

  /** Forgets events handled longer ago than the retention (which must outlive the topics' retention). */
  async forgetOlderThan(manager: EntityManager, retentionMs: number): Promise<void> {
    await manager.query(`DELETE FROM ${this.table} WHERE "handled_at" < now() - ($1 || ' milliseconds')::interval`, [String(retentionMs)]);
  }
}
