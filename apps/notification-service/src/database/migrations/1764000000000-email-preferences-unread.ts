import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email delivery (the service's own copy of each user's address, preferences, one delivery row
 * per mailed notification), a partial index that keeps the unread count cheap, and a NOTIFY per
 * new notification that every replica's live streams (and mail sender) listen to.
 */
export class EmailPreferencesUnread1764000000000 implements MigrationInterface {
  name = 'EmailPreferencesUnread1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notifications"."recipients" (
        "user_id" uuid PRIMARY KEY,
        "email" text NOT NULL,
        "display_name" text NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "notifications"."preferences" (
        "user_id" uuid PRIMARY KEY,
        "email" boolean NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "notifications"."email_deliveries" (
        "notification_id" uuid PRIMARY KEY REFERENCES "notifications"."notifications" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL,
        "message_id" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'sent', 'failed')),
        -- attempts counts one mail's send attempts
        -- squawk-ignore prefer-bigint-over-int
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL,
        "last_error" text,
        "created_at" timestamptz NOT NULL,
        "sent_at" timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX "email_deliveries_due_idx" ON "notifications"."email_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`);
    await queryRunner.query(`CREATE INDEX "email_deliveries_user_idx" ON "notifications"."email_deliveries" ("user_id")`);
    // Shipped before the migration lint: it blocked writes to notifications while it ran, which on
    // the tables of the day took milliseconds. A new index on a table in use is built CONCURRENTLY,
    // in a migration of its own with `transaction = false` (docs/deploy.md).
    await queryRunner.query(`
      -- squawk-ignore require-concurrent-index-creation
      CREATE INDEX "notifications_user_unread_idx" ON "notifications"."notifications" ("user_id") WHERE "read_at" IS NULL`);
    await queryRunner.query(`
      CREATE FUNCTION "notifications"."notification_created_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('notifications_created', NEW."user_id"::text || ':' || NEW."id"::text);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "notification_created_notify" AFTER INSERT ON "notifications"."notifications"
      FOR EACH ROW EXECUTE FUNCTION "notifications"."notification_created_notify"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "notification_created_notify" ON "notifications"."notifications"`);
    await queryRunner.query(`DROP FUNCTION "notifications"."notification_created_notify"()`);
    await queryRunner.query(`DROP INDEX "notifications"."notifications_user_unread_idx"`);
    await queryRunner.query(`DROP TABLE "notifications"."email_deliveries"`);
    await queryRunner.query(`DROP TABLE "notifications"."preferences"`);
    await queryRunner.query(`DROP TABLE "notifications"."recipients"`);
  }
}
