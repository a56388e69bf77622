import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's stream reads its notifications by their place in it; built CONCURRENTLY (writes go on), so outside a transaction. */
export class NotificationsStreamOrderIndex1765200000001 implements MigrationInterface {
  name = 'NotificationsStreamOrderIndex1765200000001';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    // A build interrupted half-way leaves an invalid index of this name: drop it and build again.
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "notifications"."notifications_user_stream_seq_idx"`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "notifications_user_stream_seq_idx" ON "notifications"."notifications" ("user_id", "stream_seq")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "notifications"."notifications_user_stream_seq_idx"`);
  }
}
