import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { LocalPlatform } from './local-platform.ts';
import { CACHE_DIR } from './paths.ts';
import { SERVICE_NAMES, type ServiceName } from './services.ts';

/**
 * Where a running `./platform up` listens for `./platform ps` and `./platform roll` (a Unix
 * socket; PLATFORM_CONTROL_SOCKET elsewhere, as the local-runner suite does beside a running one).
 */
export const CONTROL_SOCKET = process.env['PLATFORM_CONTROL_SOCKET'] ?? join(CACHE_DIR, 'platform', 'control.sock');

/** What `./platform ps --json` prints per replica. */
export interface ReplicaRow {
  service: ServiceName;
  version: string;
  pid: number | undefined;
  port: number;
  managementPort: number;
  ready: boolean;
}

function call(method: string, path: string, onChunk?: (text: string) => void, socketPath = CONTROL_SOCKET): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ socketPath, method, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        onChunk?.(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new Error('no platform is running here (start one with ./platform up)') : error),
    );
    outgoing.end();
  });
}

/** Serves the running platform's replicas and rolls on `socketPath` (CONTROL_SOCKET) until closed. */
export async function serveControl(platform: LocalPlatform, log: (line: string) => void, socketPath = CONTROL_SOCKET): Promise<Server> {
  mkdirSync(dirname(socketPath), { recursive: true });
  if (existsSync(socketPath)) {
    const alive = await call('GET', '/replicas', undefined, socketPath).then(() => true, () => false);
    if (alive) throw new Error(`another ./platform up is running (${socketPath})`);
    rmSync(socketPath, { force: true });
  }
  let rolling: ServiceName | undefined;
  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://control');
    if (incoming.method === 'GET' && url.pathname === '/replicas') {
      void platform.replicaList().then((replicas) => {
        const rows: ReplicaRow[] = replicas.map(({ service, version, pid, port, managementPort, ready }) => ({ service, version, pid, port, managementPort, ready }));
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows));
      });
      return;
    }
    const service = url.searchParams.get('service') as ServiceName;
    if (incoming.method === 'POST' && url.pathname === '/roll' && SERVICE_NAMES.includes(service)) {
      if (rolling) {
        response.writeHead(409, { 'content-type': 'text/plain' }).end(`${rolling} is being rolled; wait for it\n`);
        return;
      }
      rolling = service;
      response.writeHead(200, { 'content-type': 'text/plain' });
      const say = (line: string) => {
        log(line);
        response.write(`${line}\n`);
      };
      platform
        .roll(service, undefined, say)
        .then((result) => response.end(result.exitCodes.every((code) => code === 0) ? `done: ${service} runs ${result.version}\n` : `failed: an old replica exited with ${result.exitCodes.join(', ')}\n`))
        .catch((error: unknown) => response.end(`failed: ${(error as Error).message}\n`))
        .finally(() => (rolling = undefined));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('GET /replicas, POST /roll?service=<name>\n');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return server;
}

export async function fetchReplicas(): Promise<ReplicaRow[]> {
  return JSON.parse((await call('GET', '/replicas')).body) as ReplicaRow[];
}

/** Asks the running platform to roll a service, printing its progress; resolves true when every old replica exited 0. */
export async function requestRoll(service: ServiceName, print: (text: string) => void): Promise<boolean> {
  const { status, body } = await call('POST', `/roll?service=${service}`, print);
  return status === 200 && /^done:/m.test(body);
}
