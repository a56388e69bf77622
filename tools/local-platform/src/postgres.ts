import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { GiveUp, isPortOpen, waitFor } from './wait.ts';

export interface PrivatePostgresOptions {
  dataDir: string;
  port: number;
  output: string;
}

export interface PrivatePostgres {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  readonly process: ManagedProcess;
}

/** The machine's PostgreSQL binaries (Debian layout), newest major first. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  return join(root, majors[0], 'bin');
}

/** PostgreSQL refuses to run as root: as root we drop to the `postgres` user, as anyone else we stay. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]] : [command, args];
}

/**
 * A PostgreSQL server of our own (initdb into dataDir on first start), for tests that stop and
 * restart the database under a running platform without touching the machine's server.
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const data = join(options.dataDir, 'data');
  if (!existsSync(data)) {
    mkdirSync(options.dataDir, { recursive: true });
    if (process.getuid?.() === 0) chownSync(options.dataDir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const [command, args] = asPostgresUser(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    execFileSync(command, args, { stdio: 'ignore' });
  }
  const [command, args] = asPostgresUser(join(bin, 'postgres'), [
    '-D', data,
    '-p', String(options.port),
    '-k', options.dataDir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off',
    '-c', 'max_connections=200',
  ]);
  const server = new ManagedProcess({ name: 'postgres', command, args, output: options.output });
  await waitFor(`PostgreSQL on port ${options.port}`, async () => {
    if (!server.isRunning) throw new GiveUp(`PostgreSQL exited with code ${await server.exited} (see its log)`);
    return isPortOpen(options.port);
  }, 30_000, 100);
  return { host: '127.0.0.1', port: options.port, adminUser: 'postgres', process: server };
}
