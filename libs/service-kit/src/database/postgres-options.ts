import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

export interface PostgresOptions {
  /** Service name, shown as application_name in pg_stat_activity. */
  service: string;
  url: string;
  /** The service's own schema; every table, the migrations table included, lives there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolMax?: number;
}

/**
 * TypeORM options shared by every service. `synchronize` is off: schema changes are migrations,
 * run by the explicit `migrate` step, never at start-up.
 */
export function postgresOptions(options: PostgresOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    applicationName: options.service,
    extra: {
      // Unqualified names resolve in the service's own schema.
      options: `-c search_path=${options.schema}`,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      // A query that hangs must not hold a request (or a consumer) forever.
      statement_timeout: 10_000,
      // A dead connection is noticed by TCP keepalive, not after the OS default of hours.
      keepAlive: true,
    },
  };
}
