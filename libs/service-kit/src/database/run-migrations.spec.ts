import type { MigrationInterface, QueryRunner } from 'typeorm';
import { printMigrationSql } from './run-migrations';

class AddThing1700000000000 implements MigrationInterface {
  name = 'AddThing1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "s"."thing" ("id" uuid PRIMARY KEY)`);
    await queryRunner.query('ALTER TABLE "s"."thing" ADD COLUMN "name" text;');
  }
  async down(): Promise<void> {}
}

class IndexThing1700000000001 implements MigrationInterface {
  name = 'IndexThing1700000000001';
  transaction = false;
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX CONCURRENTLY "thing_name_idx" ON "s"."thing" ("name")');
  }
  async down(): Promise<void> {}
}

describe('printMigrationSql (migrate.js sql)', () => {
  it('prints each migration under its name, after the session limits the runner sets, one statement per semicolon', async () => {
    let printed = '';
    await printMigrationSql({ entities: [], migrations: [AddThing1700000000000, IndexThing1700000000001] }, (text) => (printed += text));

    expect(printed).toBe(
      [
        '-- migration: AddThing1700000000000',
        "SET lock_timeout = '5s';",
        "SET statement_timeout = '5min';",
        '',
        'CREATE TABLE "s"."thing" ("id" uuid PRIMARY KEY);',
        '',
        'ALTER TABLE "s"."thing" ADD COLUMN "name" text;',
        '',
        '-- migration: IndexThing1700000000001 (outside a transaction)',
        "SET lock_timeout = '5s';",
        "SET statement_timeout = '5min';",
        '',
        'CREATE INDEX CONCURRENTLY "thing_name_idx" ON "s"."thing" ("name");',
        '',
        '',
      ].join('\n'),
    );
  });
});
