import type pg from 'pg';

/** The bare pipeline's tables, in a schema of their own in the benchmark's database. */
export async function createBareSchema(client: pg.Client): Promise<void> {
  await client.query(`
    CREATE SCHEMA bare;
    CREATE TABLE bare.orders (id uuid PRIMARY KEY, user_id uuid NOT NULL, total bigint NOT NULL, created_at timestamptz NOT NULL);
    CREATE TABLE bare.outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL UNIQUE, message_key text NOT NULL,
      payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz);
    CREATE INDEX outbox_unsent_idx ON bare.outbox (id) WHERE sent_at IS NULL;
    CREATE FUNCTION bare.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('bare_outbox', ''); RETURN NULL; END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON bare.outbox FOR EACH STATEMENT EXECUTE FUNCTION bare.outbox_notify();
    CREATE TABLE bare.inbox (event_id uuid PRIMARY KEY, handled_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE bare.notifications (id uuid PRIMARY KEY, order_id uuid NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);
  `);
}
