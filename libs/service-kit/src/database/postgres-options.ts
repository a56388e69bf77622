import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import type { ServiceIdentity } from '../config/service-identity';

/** What a service keeps in its schema: its entities and the migrations that shape them. */
export interface ServiceData {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * TypeORM options shared by every service. `synchronize` is off: schema changes are migrations,
 * run by the explicit `migrate` step, never at start-up. Every table, the migrations table
 * included, lives in the service's own schema.
 */
export function postgresOptions(service: ServiceIdentity, data: ServiceData, database: Pick<DatabaseConfig, 'DATABASE_URL'> & Partial<DatabaseConfig>): DataSourceOptions {
  if (!service.schema) throw new Error(`${service.name} owns no schema`);
  return {
    type: 'postgres',
    url: database.DATABASE_URL,
    schema: service.schema,
    entities: data.entities,
    migrations: data.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    applicationName: service.name,
    extra: {
      // Unqualified names resolve in the service's own schema.
      options: `-c search_path=${service.schema}`,
      max: database.DATABASE_POOL_MAX ?? 10,
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      // A query that hangs must not hold a request (or a consumer) forever.
      statement_timeout: 10_000,
      // A dead connection is noticed by TCP keepalive, not after the OS default of hours.
      keepAlive: true,
    },
  };
}
