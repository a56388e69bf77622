import type { QueryRunner } from 'typeorm';

/** A messaging table of a service's schema, quoted for SQL: `"orders"."outbox"`. */
export function messagingTable(schema: string, table: 'outbox' | 'inbox'): string {
  return `"${schema}"."${table}"`;
}

/** NOTIFY channel the relay of a schema listens on. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * DDL of the outbox and inbox tables, for a service's own migration. Kept here so every service
 * gets the same tables, indexes and NOTIFY trigger the relay and the consumer rely on.
 */
export async function createMessagingTables(queryRunner: QueryRunner, schema: string): Promise<void> {
  const channel = outboxChannel(schema);
  const outbox = messagingTable(schema, 'outbox');
  const inbox = messagingTable(schema, 'inbox');
  await queryRunner.query(`
    CREATE TABLE ${outbox} (
      "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      "event_id" uuid NOT NULL UNIQUE,
      "event_type" text NOT NULL,
      "topic" text NOT NULL,
      "message_key" text NOT NULL,
      "headers" jsonb NOT NULL,
      "payload" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "sent_at" timestamptz,
      -- attempts counts a row's publish attempts: never near 2^31
      -- squawk-ignore prefer-bigint-over-int
      "attempts" integer NOT NULL DEFAULT 0,
      "last_error" text
    )`);
  await queryRunner.query(`CREATE INDEX "outbox_unsent_idx" ON ${outbox} ("id") WHERE "sent_at" IS NULL`);
  await queryRunner.query(`CREATE INDEX "outbox_unsent_key_idx" ON ${outbox} ("message_key", "id") WHERE "sent_at" IS NULL`);
  await queryRunner.query(`CREATE INDEX "outbox_sent_at_idx" ON ${outbox} ("sent_at") WHERE "sent_at" IS NOT NULL`);
  await queryRunner.query(`
    CREATE FUNCTION "${schema}"."outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${channel}', '');
      RETURN NULL;
    END $$`);
  await queryRunner.query(`
    CREATE TRIGGER "outbox_notify" AFTER INSERT ON ${outbox}
    FOR EACH STATEMENT EXECUTE FUNCTION "${schema}"."outbox_notify"()`);
  await queryRunner.query(`
    CREATE TABLE ${inbox} (
      "consumer_group" text NOT NULL,
      "event_id" text NOT NULL,
      "event_type" text NOT NULL,
      "topic" text NOT NULL,
      -- a Kafka partition number is an int32 in Kafka itself
      -- squawk-ignore prefer-bigint-over-int
      "partition" integer NOT NULL,
      "offset" bigint NOT NULL,
      "handled_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer_group", "event_id")
    )`);
  await queryRunner.query(`CREATE INDEX "inbox_handled_at_idx" ON ${inbox} ("handled_at")`);
}

export async function dropMessagingTables(queryRunner: QueryRunner, schema: string): Promise<void> {
  const outbox = messagingTable(schema, 'outbox');
  const inbox = messagingTable(schema, 'inbox');
  await queryRunner.query(`DROP TABLE ${inbox}`);
  await queryRunner.query(`DROP TABLE ${outbox}`);
  await queryRunner.query(`DROP FUNCTION "${schema}"."outbox_notify"()`);
}
