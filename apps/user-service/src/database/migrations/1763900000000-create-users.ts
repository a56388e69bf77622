import { createMessagingTables, dropMessagingTables } from '@platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1763900000000 implements MigrationInterface {
  name = 'CreateUsers1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "users"."users" (
        "id" uuid PRIMARY KEY,
        "email" text NOT NULL CONSTRAINT "users_email_lower_case" CHECK ("email" = lower("email")),
        "display_name" text NOT NULL,
        "password_hash" text NOT NULL,
        "roles" text[] NOT NULL DEFAULT '{user}',
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users"."users" ("email")`);
    await queryRunner.query(`
      CREATE TABLE "users"."refresh_tokens" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid NOT NULL REFERENCES "users"."users" ("id") ON DELETE CASCADE,
        "family_id" uuid NOT NULL,
        "token_hash" text NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        "revoked_at" timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "users"."refresh_tokens" ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "refresh_tokens_family_idx" ON "users"."refresh_tokens" ("family_id")`);
    await queryRunner.query(`CREATE INDEX "refresh_tokens_user_idx" ON "users"."refresh_tokens" ("user_id")`);
    await createMessagingTables(queryRunner, 'users');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, 'users');
    await queryRunner.query(`DROP TABLE "users"."refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "users"."users"`);
  }
}
