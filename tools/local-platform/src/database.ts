import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

export const SERVICE_ROLES = {
  'user-service': { role: 'user_service', schema: 'users' },
  'order-service': { role: 'order_service', schema: 'orders' },
  'notification-service': { role: 'notification_service', schema: 'notifications' },
} as const;

export type DatabaseService = keyof typeof SERVICE_ROLES;

export interface DatabaseOptions {
  host: string;
  port: number;
  /** Database holding the three schemas. */
  name: string;
  /** A superuser, for creating the database and the roles. */
  adminUser: string;
  passwords: Record<DatabaseService, string>;
}

function psql(options: DatabaseOptions, database: string, args: string[]): string {
  return execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', options.host, '-p', String(options.port), '-U', options.adminUser, '-d', database, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Creates the database, the service roles and their schemas (k8s/infra/postgres/init.sql; idempotent). */
export function setupDatabase(options: DatabaseOptions): void {
  psql(options, 'postgres', [
    '-v', `db=${options.name}`,
    '-v', `user_service_password=${options.passwords['user-service']}`,
    '-v', `order_service_password=${options.passwords['order-service']}`,
    '-v', `notification_service_password=${options.passwords['notification-service']}`,
    '-f', join(REPO_ROOT, 'k8s', 'infra', 'postgres', 'init.sql'),
  ]);
}

/** Drops a (test) database, disconnecting whoever is still on it. */
export function dropDatabase(options: DatabaseOptions): void {
  psql(options, 'postgres', ['-c', `DROP DATABASE IF EXISTS "${options.name}" WITH (FORCE)`]);
}

/** Connection string of a service's own role: it reaches its schema and nothing else. */
export function serviceDatabaseUrl(options: DatabaseOptions, service: DatabaseService): string {
  const { role } = SERVICE_ROLES[service];
  return `postgres://${role}:${encodeURIComponent(options.passwords[service])}@${options.host}:${options.port}/${options.name}`;
}
