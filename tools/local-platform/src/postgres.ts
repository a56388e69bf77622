import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Balancer } from './balancer.ts';
import { ManagedProcess } from './managed-process.ts';
import { GiveUp, isPortOpen, sleep, waitFor } from './wait.ts';

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

export interface PostgresClusterOptions {
  dataDir: string;
  primaryPort: number;
  standbyPort: number;
  /** The read-write address: a balancer port that follows the primary (CloudNativePG's `-rw` Service). */
  readWritePort: number;
  /** Log file of each node, by its name. */
  output: (node: string) => string;
  /** Acknowledge a commit once the standby has it (CloudNativePG's synchronous replication), or as soon as the primary has (asynchronous: a failover may lose acknowledged writes). */
  synchronous: boolean;
}

interface PostgresNode {
  name: string;
  port: number;
  data: string;
  process?: ManagedProcess;
}

/**
 * A primary and a streaming standby of the machine's PostgreSQL (initdb, pg_basebackup), as
 * k8s/infra/postgres runs a CloudNativePG cluster of two instances: commits wait for the standby
 * (`synchronous_standby_names`) when `synchronous`. `failover()` does what the operator does when
 * the primary is lost: promote the standby (which then runs alone, accepting writes without a
 * standby, as CloudNativePG's `dataDurability: preferred` does). The services reach whichever
 * node is primary through one address (a Balancer `primary` frontend, the `-rw` Service).
 */
export class PostgresCluster {
  readonly nodes: [PostgresNode, PostgresNode];
  /** Where clients connect: the primary, whichever node that is. */
  readonly host = '127.0.0.1';
  readonly adminUser = 'postgres';
  private readonly options: PostgresClusterOptions;
  private primaryIndex = 0;
  private balancer?: Balancer;

  private constructor(options: PostgresClusterOptions) {
    this.options = options;
    this.nodes = [
      { name: 'postgres-1', port: options.primaryPort, data: join(options.dataDir, 'postgres-1') },
      { name: 'postgres-2', port: options.standbyPort, data: join(options.dataDir, 'postgres-2') },
    ];
  }

  get port(): number {
    return this.options.readWritePort;
  }

  get primary(): PostgresNode {
    return this.nodes[this.primaryIndex];
  }

  get standby(): PostgresNode {
    return this.nodes[1 - this.primaryIndex];
  }

  static async start(options: PostgresClusterOptions): Promise<PostgresCluster> {
    const cluster = new PostgresCluster(options);
    const bin = postgresBin();
    const [primary, standby] = cluster.nodes;
    mkdirSync(options.dataDir, { recursive: true });
    if (process.getuid?.() === 0) chownSync(options.dataDir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const run = (command: string, args: string[]) => {
      const [program, programArgs] = asPostgresUser(join(bin, command), args);
      try {
        execFileSync(program, programArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (error) {
        throw new Error(`${command} failed: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`, { cause: error });
      }
    };
    run('initdb', ['-D', primary.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    appendFileSync(join(primary.data, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    await cluster.startNode(primary, { synchronous_standby_names: options.synchronous ? `FIRST 1 ("${standby.name}")` : '' });
    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.data, '-X', 'stream', '-R', '-d', `host=127.0.0.1 port=${primary.port} user=postgres application_name=${standby.name}`]);
    await cluster.startNode(standby, {});
    // The standby streams (and, when synchronous, is the one commits wait for).
    await waitFor('the standby to stream from the primary', async () => {
      const state = cluster.sql(primary, `SELECT sync_state FROM pg_stat_replication WHERE application_name = '${standby.name}' AND state = 'streaming'`);
      return state === (options.synchronous ? 'sync' : 'async');
    }, 30_000, 200);
    cluster.balancer = await Balancer.start({ dataDir: join(options.dataDir, 'rw'), output: options.output('postgres-rw') }, [{ name: 'postgres-rw', port: options.readWritePort, kind: 'primary' }]);
    for (const node of cluster.nodes) await cluster.balancer.add('postgres-rw', node.name, node.port);
    await cluster.balancer.enable('postgres-rw', primary.name);
    return cluster;
  }

  /**
   * What the operator does when the primary's node is lost: the standby, which had fallen behind
   * for `standbyBehindMs` (the primary's WAL sender paused, as in a network hiccup between them), sees the
   * primary die (every process of it SIGKILLed at once, as when its machine goes), is promoted,
   * and the read-write address follows it. With synchronous replication the primary could not
   * acknowledge a commit the standby lacked, so the promoted standby has every acknowledged write;
   * with asynchronous replication the writes of that moment are gone. Resolves with the new primary.
   */
  async failover(standbyBehindMs = 0): Promise<PostgresNode> {
    const lost = this.primary;
    const promoted = this.standby;
    // The primary's WAL sender paused: nothing more reaches the standby (pausing the standby's
    // receiver would not do: the kernel keeps receiving into its socket buffer meanwhile).
    const sender = Number(this.sql(lost, `SELECT pid FROM pg_stat_replication WHERE application_name = '${promoted.name}'`)) || undefined;
    if (sender && standbyBehindMs > 0) {
      process.kill(sender, 'SIGSTOP');
      await sleep(standbyBehindMs);
    }
    killProcessTree(lost.process?.pid);
    await lost.process?.exited;
    // The -rw address stops sending anything to the lost node and cuts what it had.
    await this.balancer?.disable('postgres-rw', lost.name);
    this.sql(promoted, 'SELECT pg_promote(true, 30)');
    // No standby left to wait for: the new primary must not wait for one.
    this.sql(promoted, "ALTER SYSTEM SET synchronous_standby_names = ''");
    this.sql(promoted, 'SELECT pg_reload_conf()');
    this.primaryIndex = 1 - this.primaryIndex;
    await this.balancer?.enable('postgres-rw', promoted.name);
    return promoted;
  }

  async stop(): Promise<void> {
    await this.balancer?.stop();
    await Promise.all(this.nodes.map((node) => node.process?.stop(20_000, 'SIGINT')));
  }

  /** One statement through psql as the superuser; its first value. */
  sql(node: PostgresNode, statement: string): string {
    return execFileSync('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(node.port), '-U', 'postgres', '-d', 'postgres', '-c', statement], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  private async startNode(node: PostgresNode, settings: Record<string, string>): Promise<void> {
    const args = [
      '-D', node.data,
      '-p', String(node.port),
      '-k', this.options.dataDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=300',
      '-c', 'wal_level=replica',
      '-c', 'max_wal_senders=5',
      '-c', 'hot_standby=on',
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ];
    const [command, commandArgs] = asPostgresUser(join(postgresBin(), 'postgres'), args);
    node.process = new ManagedProcess({ name: node.name, command, args: commandArgs, output: this.options.output(node.name) });
    const child = node.process;
    // Accepting queries, not only connections: a server still starting up refuses pg_basebackup.
    await waitFor(`${node.name} on port ${node.port}`, async () => {
      if (!child.isRunning) throw new GiveUp(`${node.name} exited with code ${await child.exited} (see its log)`);
      return (await isPortOpen(node.port)) && this.sql(node, 'SELECT 1') === '1';
    }, 30_000, 100);
  }
}

/** SIGKILL of a process and all its children at once (a Postgres server: postmaster, backends, WAL sender), as when its machine goes. */
function killProcessTree(pid: number | undefined): void {
  if (!pid) return;
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const target of [pid, ...children]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
