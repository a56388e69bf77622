import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { REPO_ROOT } from './paths.ts';
import type { ReadinessProbe } from './pod-spec.ts';
import { GiveUp, isPortOpen, waitFor } from './wait.ts';

/**
 * One address in front of a service's replicas, as Kubernetes gives it.
 * - `service`: a ClusterIP Service as kube-proxy runs it, layer 4: each connection goes to a ready
 *   replica and stays there; nothing is retried (the gateway retries what is safe to retry).
 * - `edge`: the ingress in front of the gateway, layer 7: each request goes to a ready replica, and
 *   one whose connection failed or was answered with nothing is tried on another, unless it is a
 *   POST or PATCH without an Idempotency-Key (the same rule as the gateway's). Like a production
 *   edge (Envoy's circuit breakers, HAProxy's maxconn) it gives each replica at most
 *   EDGE_LIMITS.requestsPerReplica requests at once and queues the rest for at most
 *   EDGE_LIMITS.queueMs, then answers 503 problem+json with Retry-After itself: a replica short of
 *   CPU reads its sockets late, and what it has not read it cannot shed. Requests on
 *   `longLivedPaths` (live streams) are not counted.
 * - `primary`: Postgres' read-write address (CloudNativePG's `-rw` Service): layer 4, to the one
 *   node the operator enabled (the runner, after a promotion); a node that stops answering is
 *   marked down within two seconds and its sessions are cut, so pools reconnect.
 */
export type FrontendKind = 'service' | 'edge' | 'primary';

export interface Frontend {
  name: string;
  port: number;
  kind: FrontendKind;
  /** `edge` only: path prefixes of requests that stay open (live streams), sent to the same replicas outside the per-replica limit. */
  longLivedPaths?: string[];
}

/** The edge's per-replica limit (docs/deploy.md says what to configure on a production edge). */
export const EDGE_LIMITS = {
  /** Requests one gateway replica is given at once; its own admission control adapts below this. */
  requestsPerReplica: 64,
  /** How long a request may wait at the edge for a replica: the gateway's ADMISSION_MAX_QUEUE_MS. */
  queueMs: 250,
};

const OVERLOADED_PROBLEM = JSON.stringify({
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  detail: 'The platform is at capacity; retry after the time in Retry-After.',
  code: 'GATEWAY.OVERLOADED',
});

/** The HAProxy backends behind one frontend: its own and, for an edge with long-lived paths, one for those. */
const backendsOf = (frontend: Frontend) => (frontend.longLivedPaths?.length ? [frontend.name, `${frontend.name}_long`] : [frontend.name]);

export interface BalancerOptions {
  /** Config, admin socket. */
  dataDir: string;
  output: string | 'inherit';
  /** How replicas are checked: the manifests' readiness probe (path, period, timeout, thresholds); not needed by a `primary` frontend alone. */
  probe?: ReadinessProbe;
}

export type ServerStatus = 'UP' | 'DOWN' | 'MAINT' | 'DRAIN' | 'NOLB' | string;

/** The path of HAProxy (Debian's package, fetched into .cache/haproxy by tools/haproxy/ensure-haproxy.sh). */
export function ensureHaproxy(): string {
  return execFileSync(join(REPO_ROOT, 'tools', 'haproxy', 'ensure-haproxy.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function haproxyConfig(options: BalancerOptions, frontends: Frontend[], socket: string): string {
  const probe = options.probe ?? { path: '/health/ready', periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2, successThreshold: 1 };
  if (!options.probe && frontends.some((frontend) => frontend.kind !== 'primary')) throw new Error('a service or edge frontend needs the readiness probe to check replicas with');
  const lines = [
    'global',
    `  stats socket ${socket} level admin`,
    '  maxconn 4096',
    'defaults',
    '  timeout connect 2s',
    // Longer than the SSE heartbeat (15 s) and any request; clients and the gateway close idle
    // keep-alive connections first (undici after 4 s), so no request meets a connection closing.
    '  timeout client 65s',
    '  timeout server 65s',
    '  timeout http-keep-alive 60s',
    `  timeout check ${probe.timeoutSeconds}s`,
    '  retries 3',
    '',
  ];
  for (const frontend of frontends) {
    const mode = frontend.kind === 'edge' ? 'http' : 'tcp';
    lines.push(`frontend fe_${frontend.name}`, `  mode ${mode}`, `  bind 127.0.0.1:${frontend.port}`);
    if (frontend.kind === 'edge') {
      // When the request arrived (set, never passed on from the client): the gateway sheds what
      // waited too long to reach it (ADMISSION_MAX_QUEUE_MS).
      lines.push('  http-request set-header X-Request-Start t=%[date(0,us)]');
      for (const path of frontend.longLivedPaths ?? []) lines.push(`  use_backend be_${frontend.name}_long if { path_beg ${path} }`);
    }
    lines.push(`  default_backend be_${frontend.name}`, '');
    for (const backend of backendsOf(frontend)) lines.push(...backendConfig(frontend, backend, probe));
  }
  return lines.join('\n');
}

function backendConfig(frontend: Frontend, backend: string, probe: ReadinessProbe): string[] {
  const mode = frontend.kind === 'edge' ? 'http' : 'tcp';
  const checks = `inter ${probe.periodSeconds}s fall ${probe.failureThreshold} rise ${probe.successThreshold}`;
  const lines = [`backend be_${backend}`, `  mode ${mode}`, '  balance roundrobin'];
  if (frontend.kind === 'primary') {
    lines.push('  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions');
  } else {
    lines.push(`  option httpchk GET ${probe.path}`, '  http-check expect status 200', `  default-server ${checks}`);
  }
  if (frontend.kind === 'service') {
    // A replica that went away takes its connections with it, as a deleted endpoint does.
    lines.push('  option redispatch');
  }
  if (frontend.kind === 'edge') {
    lines.push(
      '  option redispatch 1',
      '  option http-buffer-request',
      '  retry-on conn-failure empty-response',
      '  http-request disable-l7-retry if { method POST PATCH } !{ req.hdr(idempotency-key) -m found }',
      '  option forwardfor',
      '  http-reuse safe',
    );
    if (backend === frontend.name) lines.push(`  timeout queue ${EDGE_LIMITS.queueMs}ms`, `  http-error status 503 content-type application/problem+json hdr Retry-After 1 string '${OVERLOADED_PROBLEM}'`);
  }
  lines.push('');
  return lines;
}

/**
 * HAProxy in front of each service's replicas. Replicas are added and removed at run time through
 * its admin socket, never by reloading: a server is added in maintenance, enabled once its own
 * readiness probe first succeeds (Kubernetes adds an endpoint only then), checked every probe
 * period afterwards (out after `failureThreshold` failures), and put in maintenance the moment its
 * pod starts terminating (the endpoint is removed while preStop runs).
 */
export class Balancer {
  readonly process: ManagedProcess;
  readonly frontends: Frontend[];
  private readonly socket: string;
  private stopped = false;

  private constructor(process: ManagedProcess, frontends: Frontend[], socket: string) {
    this.process = process;
    this.frontends = frontends;
    this.socket = socket;
  }

  static async start(options: BalancerOptions, frontends: Frontend[]): Promise<Balancer> {
    const haproxy = ensureHaproxy();
    for (const frontend of frontends) {
      if (await isPortOpen(frontend.port)) throw new Error(`port ${frontend.port} (${frontend.name}) is taken; is another platform running?`);
    }
    mkdirSync(options.dataDir, { recursive: true });
    const socket = join(options.dataDir, 'admin.sock');
    const config = join(options.dataDir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(options, frontends, socket));
    execFileSync(haproxy, ['-c', '-q', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    const child = new ManagedProcess({ name: 'balancer', command: haproxy, args: ['-f', config, '-db'], output: options.output });
    const balancer = new Balancer(child, frontends, socket);
    await waitFor('HAProxy', async () => {
      if (!child.isRunning) throw new GiveUp(`HAProxy exited with code ${await child.exited} (see its log)`);
      return (await Promise.all(frontends.map((frontend) => isPortOpen(frontend.port)))).every(Boolean);
    }, 10_000, 50);
    return balancer;
  }

  port(name: string): number {
    return this.frontend(name).port;
  }

  private frontend(name: string): Frontend {
    const frontend = this.frontends.find((candidate) => candidate.name === name);
    if (!frontend) throw new Error(`no frontend ${name}`);
    return frontend;
  }

  /** A server in maintenance (no traffic) with health checks on; `enable` puts it in rotation. */
  async add(name: string, server: string, port: number): Promise<void> {
    const frontend = this.frontend(name);
    for (const backend of backendsOf(frontend)) {
      const limit = frontend.kind === 'edge' && backend === name ? ` maxconn ${EDGE_LIMITS.requestsPerReplica}` : '';
      await this.command(`add server be_${backend}/${server} 127.0.0.1:${port} check${limit}`, /New server registered/);
      await this.command(`enable health be_${backend}/${server}`);
    }
  }

  async enable(name: string, server: string): Promise<void> {
    for (const backend of backendsOf(this.frontend(name))) await this.command(`enable server be_${backend}/${server}`);
  }

  /** No new connections or requests; those under way go on (an endpoint removed from a Service). */
  async disable(name: string, server: string): Promise<void> {
    for (const backend of backendsOf(this.frontend(name))) await this.command(`disable server be_${backend}/${server}`);
  }

  /** Removes a server for good; connections still open to it are cut. Moot once the balancer stops (its proxies refuse, then its socket is gone). */
  async remove(name: string, server: string): Promise<void> {
    try {
      for (const backend of backendsOf(this.frontend(name))) {
        if (this.stopped) return;
        await this.command(`disable server be_${backend}/${server}`);
        await this.command(`shutdown sessions server be_${backend}/${server}`);
        await waitFor(`${server} to have no connections`, async () => this.stopped || /Server deleted/.test(await this.command(`del server be_${backend}/${server}`, null)), 120_000, 500);
      }
    } catch (error) {
      if (!this.stopped) throw error;
    }
  }

  /** Each server's status as HAProxy sees it (`UP`, `DOWN`, `MAINT`, …), by backend and server. */
  async statuses(): Promise<Map<string, ServerStatus>> {
    const csv = await this.command('show stat -1 4 -1', /^# pxname/);
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header.split(',');
    const at = (row: string[], name: string) => row[columns.indexOf(name)];
    const statuses = new Map<string, ServerStatus>();
    for (const row of rows.map((line) => line.split(','))) statuses.set(`${at(row, 'pxname').replace(/^be_/, '')}/${at(row, 'svname')}`, at(row, 'status').split(' ')[0]);
    return statuses;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.process.stop(5_000, 'SIGUSR1'); // soft stop: finishes the connections under way
  }

  /** One admin-socket command; rejects unless the answer matches `expect` (by default: empty, HAProxy's "done"). */
  private command(line: string, expect: RegExp | null = /^$/): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.socket);
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', reject);
      socket.on('end', () => {
        if (expect && !expect.test(answer.trim())) reject(new Error(`HAProxy refused "${line}": ${answer.trim()}`));
        else resolve(answer);
      });
      socket.write(`${line}\n`);
    });
  }
}
