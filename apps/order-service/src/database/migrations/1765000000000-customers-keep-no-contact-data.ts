import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Release 1.1.0, the expand half of dropping the customer copy's personal data (docs/deploy.md,
 * expand/contract): the columns accept rows without it, so 1.1.0 (which writes none) and 1.0.0
 * (which still writes it, and never reads it back) run side by side during the roll. 1.2.0's
 * migration drops the columns.
 */
export class CustomersKeepNoContactData1765000000000 implements MigrationInterface {
  name = 'CustomersKeepNoContactData1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // No running version reads these columns (1.0.0 only writes them), so rows without them break nothing.
    await queryRunner.query(`
      -- squawk-ignore ban-drop-not-null
      ALTER TABLE "orders"."customers" ALTER COLUMN "email" DROP NOT NULL, ALTER COLUMN "display_name" DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "orders"."customers" WHERE "email" IS NULL OR "display_name" IS NULL`);
    await queryRunner.query(`ALTER TABLE "orders"."customers" ALTER COLUMN "email" SET NOT NULL, ALTER COLUMN "display_name" SET NOT NULL`);
  }
}
