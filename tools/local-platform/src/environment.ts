// What the local tools (`./platform up`, `./platform bench`, the e2e harness) read from the
// caller's environment besides the services' own settings: read here, once each.

/** A whole-number variable (a port, a size), or the fallback when it is unset or not a number. */
export function intFromEnvironment(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  return Number.parseInt(env[name] ?? '', 10) || fallback;
}

/** The machine's Postgres as libpq's variables name it (PGHOST, PGPORT, PGUSER), admin rights assumed. */
export function postgresFromEnvironment(env: NodeJS.ProcessEnv = process.env): { host: string; port: number; adminUser: string } {
  return { host: env['PGHOST'] ?? '127.0.0.1', port: intFromEnvironment('PGPORT', 5432, env), adminUser: env['PGUSER'] ?? 'postgres' };
}

/** KEEP_E2E_LOGS=true: the e2e harness keeps each suite's Kafka and Postgres data next to its logs. */
export function keepTestData(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['KEEP_E2E_LOGS'] === 'true';
}
