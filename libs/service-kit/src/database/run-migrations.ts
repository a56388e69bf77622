import { loadConfig } from '@platform/config';
import { DataSource, type DataSourceOptions, type MigrationInterface, type QueryRunner } from 'typeorm';
import { DatabaseConfig } from '../config/database.config';
import type { ServiceIdentity } from '../config/service-identity';
import { postgresOptions, type ServiceData } from './postgres-options';

/**
 * Every migration session waits at most this long for a lock, and lets no statement run longer:
 * a migration queued behind a long transaction would otherwise hold every query of the service
 * behind its own lock request (fail fast; the migration Job retries).
 */
const MIGRATION_SESSION = { lock_timeout: '5s', statement_timeout: '5min' };

/**
 * The `migrate` entry point of a service: `node migrate.js` applies pending migrations,
 * `node migrate.js revert` reverts the last one, `node migrate.js show` lists pending ones.
 * Each migration runs in its own transaction, as the service's own database role.
 * `node migrate.js sql` prints every migration's statements without a database (what the
 * migration lint check reads, and what a reviewer wants to see).
 */
export function runMigrationsCli(service: ServiceIdentity, data: ServiceData, argv: string[] = process.argv.slice(2)): void {
  if (argv[0] === 'sql') {
    void printMigrationSql(data).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
    return;
  }
  const run = async () => {
    const options = postgresOptions(service, data, loadConfig(DatabaseConfig));
    const session = Object.entries(MIGRATION_SESSION).map(([name, value]) => `-c ${name}=${value}`).join(' ');
    return migrate({ ...options, extra: { ...options.extra, options: session } } as DataSourceOptions, argv[0] ?? 'up');
  };
  run().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

async function migrate(options: DataSourceOptions, command: string): Promise<void> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    if (command === 'up') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else if (command === 'show') {
      const pending = await dataSource.showMigrations();
      console.log(pending ? 'there are pending migrations' : 'schema is up to date');
      process.exitCode = pending ? 2 : 0;
    } else {
      throw new Error(`unknown command "${command}": use up, revert or show`);
    }
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Each migration's `up` statements, run against a query runner that only writes them down, as
 * `-- migration: <name>`, the session settings the runner sets, then the statements, each ending
 * with a semicolon.
 */
export async function printMigrationSql(data: ServiceData, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<void> {
  const classes = (Array.isArray(data.migrations) ? data.migrations : Object.values(data.migrations)) as (new () => MigrationInterface)[];
  for (const Migration of classes) {
    const statements: string[] = [];
    const recorder = { query: async (sql: string) => void statements.push(sql.trim().replace(/;$/, '')) } as unknown as QueryRunner;
    const migration = new Migration();
    await migration.up(recorder);
    const session = Object.entries(MIGRATION_SESSION).map(([name, value]) => `SET ${name} = '${value}';\n`).join('');
    write(`-- migration: ${migration.name ?? Migration.name}${migration.transaction === false ? ' (outside a transaction)' : ''}\n${session}\n${statements.map((statement) => `${statement};\n`).join('\n')}\n`);
  }
}
