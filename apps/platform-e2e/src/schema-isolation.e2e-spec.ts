import { randomUUID } from 'node:crypto';
import { dropDatabase, runMigrations, serviceDatabaseUrl, setupDatabase, type DatabaseOptions, type DatabaseService } from '@platform/local-platform';
import pg from 'pg';

const SCHEMAS: Record<DatabaseService, string> = { 'user-service': 'users', 'order-service': 'orders', 'notification-service': 'notifications' };
const SERVICES = Object.keys(SCHEMAS) as DatabaseService[];

describe('each service role reaches its own schema and nothing else', () => {
  const database: DatabaseOptions = {
    host: process.env['PGHOST'] ?? '127.0.0.1',
    port: Number(process.env['PGPORT'] ?? 5432),
    name: `e2e_isolation_${randomUUID().slice(0, 8)}`,
    adminUser: process.env['PGUSER'] ?? 'postgres',
    passwords: { 'user-service': 'iso-user', 'order-service': 'iso-order', 'notification-service': 'iso-notification' },
  };

  beforeAll(() => {
    setupDatabase(database);
    setupDatabase(database); // the setup step is idempotent
    for (const service of SERVICES) runMigrations(service, database);
  });

  afterAll(() => dropDatabase(database));

  async function queryAs(service: DatabaseService, sql: string) {
    const client = new pg.Client({ connectionString: serviceDatabaseUrl(database, service) });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  }

  it('order-service gets "permission denied" on the users schema', async () => {
    await expect(queryAs('order-service', 'SELECT * FROM users.users')).rejects.toThrow('permission denied for schema users');
  });

  it.each(SERVICES.flatMap((service) => SERVICES.filter((other) => other !== service).map((other) => [service, SCHEMAS[other]] as const)))(
    '%s cannot read or create anything in the %s schema',
    async (service, schema) => {
      await expect(queryAs(service, `SELECT count(*) FROM ${schema}.outbox`)).rejects.toThrow(`permission denied for schema ${schema}`);
      await expect(queryAs(service, `CREATE TABLE ${schema}.intruder (id int)`)).rejects.toThrow(`permission denied for schema ${schema}`);
    },
  );

  it.each(SERVICES)('%s owns its schema: unqualified names resolve there', async (service) => {
    const result = await queryAs(service, 'SELECT current_schema() AS schema, count(*)::int AS rows FROM outbox');
    expect(result.rows).toEqual([{ schema: SCHEMAS[service], rows: 0 }]);
  });

  it('no service role can create objects in the public schema', async () => {
    await expect(queryAs('user-service', 'CREATE TABLE public.intruder (id int)')).rejects.toThrow(/permission denied for schema public/);
  });
});
