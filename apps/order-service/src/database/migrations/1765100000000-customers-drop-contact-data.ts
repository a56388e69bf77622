import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Release 1.2.0, the contract half (docs/deploy.md, expand/contract): the customer copy's email
 * address and name go, and with them every address the copy still held. Safe beside 1.1.0, the
 * release before, which neither writes nor reads them (no rewrite: dropping a column only marks it).
 */
export class CustomersDropContactData1765100000000 implements MigrationInterface {
  name = 'CustomersDropContactData1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // 1.1.0, the release before this one, neither writes nor reads these columns.
    await queryRunner.query(`
      -- squawk-ignore ban-drop-column
      ALTER TABLE "orders"."customers" DROP COLUMN "email", DROP COLUMN "display_name"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders"."customers" ADD COLUMN "email" text, ADD COLUMN "display_name" text`);
  }
}
