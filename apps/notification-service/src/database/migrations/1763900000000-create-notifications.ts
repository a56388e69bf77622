import { createMessagingTables, dropMessagingTables } from '@platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1763900000000 implements MigrationInterface {
  name = 'CreateNotifications1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notifications"."notifications" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid NOT NULL,
        "type" text NOT NULL,
        "title" text NOT NULL,
        "body" text NOT NULL,
        "order_id" uuid,
        "source_event_id" text NOT NULL,
        "read_at" timestamptz,
        "created_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "notifications_source_event_key" ON "notifications"."notifications" ("source_event_id")`);
    await queryRunner.query(`CREATE INDEX "notifications_user_created_idx" ON "notifications"."notifications" ("user_id", "created_at" DESC, "id" DESC)`);
    await queryRunner.query(`
      CREATE TABLE "notifications"."erased_recipients" (
        "user_id_hash" text PRIMARY KEY,
        "erased_at" timestamptz NOT NULL
      )`);
    await createMessagingTables(queryRunner, 'notifications');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, 'notifications');
    await queryRunner.query(`DROP TABLE "notifications"."erased_recipients"`);
    await queryRunner.query(`DROP TABLE "notifications"."notifications"`);
  }
}
