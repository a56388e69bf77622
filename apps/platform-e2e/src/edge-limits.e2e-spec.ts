import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Balancer, EDGE_LIMITS, freePort } from '@platform/local-platform';
import { eventually } from '@platform/testing';

// The local edge (HAProxy) in front of one replica that holds API requests until released: it gives
// the replica EDGE_LIMITS.requestsPerReplica requests at once, answers the next 503 problem+json
// with Retry-After after EDGE_LIMITS.queueMs in its queue, never counts live streams, and stamps
// every request with when it arrived.
describe('the local edge: a per-replica limit, a short queue, and X-Request-Start', () => {
  const STREAM_PATH = '/api/v1/notifications/stream';
  let replica: Server;
  let balancer: Balancer;
  let workDir: string;
  let edge: string;
  let release: () => void = () => undefined;
  let held = Promise.resolve();
  const seen: { path: string; requestStart?: string }[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'edge-limits-'));
    replica = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/health/ready') return void response.end('ok');
      seen.push({ path: request.url ?? '', requestStart: request.headers['x-request-start'] as string | undefined });
      void held.then(() => response.end('done'));
    });
    replica.listen(0, '127.0.0.1');
    await once(replica, 'listening');
    const port = await freePort();
    balancer = await Balancer.start(
      { dataDir: workDir, output: join(workDir, 'balancer.log'), probe: { path: '/health/ready', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2, successThreshold: 1 } },
      [{ name: 'gateway', port, kind: 'edge', longLivedPaths: [STREAM_PATH] }],
    );
    await balancer.add('gateway', 'gateway-1', (replica.address() as AddressInfo).port);
    await balancer.enable('gateway', 'gateway-1');
    edge = `http://127.0.0.1:${port}`;
    await eventually(async () => expect((await balancer.statuses()).get('gateway/gateway-1')).toBe('UP'), 10_000);
  });

  afterAll(async () => {
    release();
    await balancer?.stop();
    replica?.closeAllConnections();
    replica?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('stamps each request with when the edge received it, whatever the client sent', async () => {
    const before = Date.now() * 1_000;
    const answer = await fetch(`${edge}/api/v1/users/me`, { headers: { 'x-request-start': 't=1' } });
    expect(answer.status).toBe(200);
    const stamp = Number(seen.at(-1)?.requestStart?.replace(/^t=/, ''));
    expect(stamp).toBeGreaterThanOrEqual(before - 1_000_000);
    expect(stamp).toBeLessThanOrEqual(Date.now() * 1_000);
  });

  it('answers the request past the replica\'s limit 503 problem+json with Retry-After once it has queued its time, and never counts streams', async () => {
    held = new Promise((resolve) => (release = resolve));
    const count = seen.length;
    const admitted = Array.from({ length: EDGE_LIMITS.requestsPerReplica }, () => fetch(`${edge}/api/v1/orders`));
    await eventually(async () => expect(seen.length - count).toBe(EDGE_LIMITS.requestsPerReplica), 10_000);

    const started = performance.now();
    const shed = await fetch(`${edge}/api/v1/orders`);
    const waited = performance.now() - started;
    expect({ status: shed.status, retryAfter: shed.headers.get('retry-after'), type: shed.headers.get('content-type') }).toEqual({
      status: 503,
      retryAfter: '1',
      type: 'application/problem+json',
    });
    expect(await shed.json()).toEqual(expect.objectContaining({ status: 503, code: 'GATEWAY.OVERLOADED' }));
    expect(waited).toBeGreaterThanOrEqual(EDGE_LIMITS.queueMs - 20);

    // A live stream still reaches the full replica.
    const stream = fetch(`${edge}${STREAM_PATH}`);
    await eventually(async () => expect(seen.at(-1)?.path).toBe(STREAM_PATH), 10_000);

    release();
    expect((await Promise.all([...admitted, stream])).map((answer) => answer.status)).toEqual(Array(EDGE_LIMITS.requestsPerReplica + 1).fill(200));
    expect((await fetch(`${edge}/api/v1/orders`)).status).toBe(200);
  });
});
