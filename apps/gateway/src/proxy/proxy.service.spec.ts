import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test } from '@nestjs/testing';
import { GatewayConfig } from '../config/gateway.config';
import { ProxyService } from './proxy.service';
import { Upstreams } from './upstreams';

const LARGE = Buffer.alloc(64 * 1024 + 1, 'x');

describe('ProxyService', () => {
  let upstream: Server;
  /** Requests the upstream received at `/reset-first`, and how many of them it answered by resetting the connection. */
  const resets = { received: 0, reset: 0, closing: 0 };
  let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string };
  let proxy: ProxyService;
  let upstreams: Upstreams;
  let origin: string;

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen = { method: request.method, url: request.url, headers: request.headers, body };
        // A replica closing answers the first request 503 with Connection: close, without handling it.
        if (request.url === '/closing-first' && resets.closing++ % 2 === 0) {
          return response.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"Service Unavailable"}');
        }
        // The first request of each pair is cut before any byte of an answer (a replica going away).
        if (request.url === '/reset-first' && resets.received++ % 2 === 0) {
          resets.reset++;
          return request.socket.destroy();
        }
        if (request.url === '/large') return response.writeHead(200, { 'content-length': String(LARGE.length) }).end(LARGE);
        if (request.url === '/unknown-length') {
          response.writeHead(200, { 'content-type': 'application/json' }).write('{"ok":');
          return response.end('true}');
        }
        // Headers and part of the body, then nothing: the body times out.
        if (request.url === '/stalls') return response.writeHead(200, { 'content-length': '100', 'x-upstream': 'yes' }).write('{"ok":');
        response.writeHead(201, { 'content-type': 'application/json', 'content-length': '11', 'x-upstream': 'yes', connection: 'keep-alive', 'x-request-id': 'from-upstream' });
        response.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const config = Object.assign(new GatewayConfig(), { USER_SERVICE_URL: origin, ORDER_SERVICE_URL: 'http://127.0.0.1:9', NOTIFICATION_SERVICE_URL: origin, UPSTREAM_TIMEOUT_MS: 1000, BREAKER_FAILURE_THRESHOLD: 2 });
    const moduleRef = await Test.createTestingModule({ providers: [ProxyService, Upstreams, { provide: GatewayConfig, useValue: config }] }).compile();
    proxy = moduleRef.get(ProxyService);
    upstreams = moduleRef.get(Upstreams);
  });

  afterAll(async () => {
    await upstreams.onModuleDestroy();
    await new Promise((resolve) => upstream.close(resolve));
  });

  function fakeExchange(headers: Record<string, string>, body?: Buffer, url = '/api/v1/auth/register?x=1') {
    const sent: { status?: number; headers: Record<string, unknown>; payload?: unknown } = { headers: {} };
    const reply = {
      status(code: number) {
        sent.status = code;
        return reply;
      },
      header(name: string, value: unknown) {
        sent.headers[name] = value;
        return reply;
      },
      send(payload: unknown) {
        sent.payload = payload;
        return reply;
      },
    };
    const request = { id: 'req-42', method: 'POST', url, headers: { host: 'api.example.com', ...headers }, body, protocol: 'https', socket: { remoteAddress: '10.0.0.7' } };
    return { request: request as never, reply: reply as never, sent };
  }

  it('forwards method, path, body and the tracing headers; drops hop-by-hop ones', async () => {
    const { request, reply, sent } = fakeExchange(
      { authorization: 'Bearer t', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', connection: 'close', 'content-type': 'application/json', 'x-request-id': 'spoofed' },
      Buffer.from('{"a":1}'),
    );

    await proxy.forward('user-service', request, reply);

    expect(seen).toEqual(expect.objectContaining({ method: 'POST', url: '/api/v1/auth/register?x=1', body: '{"a":1}' }));
    expect(seen.headers).toEqual(
      expect.objectContaining({
        authorization: 'Bearer t',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-request-id': 'req-42',
        'x-forwarded-for': '10.0.0.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'api.example.com',
      }),
    );
    expect(sent.status).toBe(201);
    // A small answer of known length is read whole and sent on as bytes.
    expect(sent.payload).toEqual(Buffer.from('{"ok":true}'));
    expect(sent.headers['x-upstream']).toBe('yes');
    expect(sent.headers).not.toHaveProperty('connection');
    expect(sent.headers).not.toHaveProperty('x-request-id');
  });

  it('answers 503 when an upstream cannot be reached, then opens its circuit and answers at once', async () => {
    const post = () => {
      const exchange = fakeExchange({});
      return { ...exchange, result: proxy.forward('order-service', exchange.request, exchange.reply) };
    };
    await expect(post().result).rejects.toMatchObject({ kind: 'unavailable', code: 'UPSTREAM.UNAVAILABLE' });
    await expect(post().result).rejects.toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });

    const third = post();
    await expect(third.result).rejects.toMatchObject({ kind: 'unavailable', code: 'UPSTREAM.CIRCUIT_OPEN' });
    expect(Number(third.sent.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(upstreams.get('order-service').breaker.current).toBe('open');
  });

  it('sends a request again when its connection is reset before any answer: idempotent methods, and a POST with an Idempotency-Key', async () => {
    for (const [method, headers] of [['GET', {}], ['DELETE', {}], ['POST', { 'idempotency-key': 'k-1' }]] as const) {
      const before = { ...resets };
      const { request, reply, sent } = fakeExchange(headers, method === 'POST' ? Buffer.from('{}') : undefined, '/reset-first');
      (request as { method: string }).method = method;
      await proxy.forward('notification-service', request, reply);
      expect({ method, status: sent.status, received: resets.received - before.received, reset: resets.reset - before.reset }).toEqual({ method, status: 201, received: 2, reset: 1 });
    }
  });

  it('sends a repeatable request again when a replica that is closing answers it 503 with Connection: close', async () => {
    const { request, reply, sent } = fakeExchange({ 'idempotency-key': 'k-2' }, Buffer.from('{}'), '/closing-first');
    await proxy.forward('notification-service', request, reply);
    expect({ status: sent.status, closingAnswers: resets.closing }).toEqual({ status: 201, closingAnswers: 2 });
  });

  it('closes a half-open circuit when its one trial request succeeds on a second attempt (the first reset)', async () => {
    const config = Object.assign(new GatewayConfig(), { USER_SERVICE_URL: origin, ORDER_SERVICE_URL: origin, NOTIFICATION_SERVICE_URL: origin, UPSTREAM_TIMEOUT_MS: 1000, BREAKER_FAILURE_THRESHOLD: 1, BREAKER_OPEN_MS: 50 });
    const moduleRef = await Test.createTestingModule({ providers: [ProxyService, Upstreams, { provide: GatewayConfig, useValue: config }] }).compile();
    const own = moduleRef.get(Upstreams);
    try {
      const breaker = own.get('notification-service').breaker;
      breaker.failed();
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(breaker.current).toBe('half-open');

      resets.received = 0; // the trial's first attempt is reset, the second answered
      const trial = fakeExchange({}, undefined, '/reset-first');
      (trial.request as { method: string }).method = 'GET';
      await moduleRef.get(ProxyService).forward('notification-service', trial.request, trial.reply);
      expect({ status: trial.sent.status, attempts: resets.received, circuit: breaker.current }).toEqual({ status: 201, attempts: 2, circuit: 'closed' });
    } finally {
      await own.onModuleDestroy();
    }
  });

  it('never sends a POST without an Idempotency-Key twice: a reset is a 503', async () => {
    resets.received = 0;
    const { request, reply } = fakeExchange({}, Buffer.from('{}'), '/reset-first');
    await expect(proxy.forward('notification-service', request, reply)).rejects.toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });
    expect(resets.received).toBe(1);
  });

  it('streams an answer of unknown length or over 64 KiB through as it comes', async () => {
    for (const url of ['/unknown-length', '/large']) {
      const { request, reply, sent } = fakeExchange({}, undefined, url);
      await proxy.forward('notification-service', request, reply);
      expect({ url, streamed: !Buffer.isBuffer(sent.payload) && typeof (sent.payload as NodeJS.ReadableStream).pipe === 'function' }).toEqual({ url, streamed: true });
      const bytes = Buffer.concat(await collect(sent.payload as AsyncIterable<Buffer>));
      expect(bytes.length).toBe(url === '/large' ? LARGE.length : '{"ok":true}'.length);
    }
  });

  it('answers a problem, not a cut-off answer, when a small body stalls', async () => {
    const { request, reply, sent } = fakeExchange({}, undefined, '/stalls');
    await expect(proxy.forward('notification-service', request, reply)).rejects.toMatchObject({ kind: 'timeout', code: 'UPSTREAM.TIMEOUT' });
    // Nothing of the upstream's answer was put on the reply: the problem goes out alone.
    expect(sent).toEqual({ headers: {} });
  });
});

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}
