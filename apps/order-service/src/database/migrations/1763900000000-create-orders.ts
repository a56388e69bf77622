import { createMessagingTables, dropMessagingTables } from '@platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1763900000000 implements MigrationInterface {
  name = 'CreateOrders1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "orders"."customers" (
        "user_id" uuid PRIMARY KEY,
        "email" text NOT NULL,
        "display_name" text NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "orders"."erased_customers" (
        "user_id_hash" text PRIMARY KEY,
        "erased_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "orders"."orders" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid,
        "status" text NOT NULL CONSTRAINT "orders_status_check"
          CHECK ("status" IN ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REJECTED')),
        -- an ISO 4217 currency code is exactly three letters
        -- squawk-ignore ban-char-field
        "currency" char(3) NOT NULL,
        "items" jsonb NOT NULL,
        "total" bigint NOT NULL CONSTRAINT "orders_total_check" CHECK ("total" >= 0),
        "idempotency_key" text,
        "request_hash" text,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "orders_user_created_idx" ON "orders"."orders" ("user_id", "created_at" DESC, "id" DESC)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "orders_idempotency_key" ON "orders"."orders" ("user_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "orders_pending_user_idx" ON "orders"."orders" ("user_id") WHERE "status" = 'PENDING'`);
    await createMessagingTables(queryRunner, 'orders');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, 'orders');
    await queryRunner.query(`DROP TABLE "orders"."orders"`);
    await queryRunner.query(`DROP TABLE "orders"."erased_customers"`);
    await queryRunner.query(`DROP TABLE "orders"."customers"`);
  }
}
