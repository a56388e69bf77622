import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamNotifications, type Notification } from './notification-stream.ts';

const notification = (id: string, title = `Notification ${id}`): Notification => ({ id, type: 'order-confirmed', title, body: 'Order 42 is confirmed.', orderId: '0f8b2e8e-425c-4f87-b4b4-a5d4d0833e1a', readAt: null, createdAt: '2026-11-25T10:00:00.000Z' });
const frame = (item: Notification) => `id: ${item.id}\nevent: notification\ndata: ${JSON.stringify(item)}\n\n`;

/** A real HTTP server standing in for the gateway: each connection is answered by the next handler given. */
class StreamServer {
  readonly requests: { url?: string; headers: IncomingHttpHeaders }[] = [];
  private readonly handlers: ((request: IncomingMessage, response: ServerResponse) => void)[] = [];
  private readonly server: Server = createServer((request, response) => {
    this.requests.push({ url: request.url, headers: request.headers });
    const handler = this.handlers.shift() ?? ((_: IncomingMessage, reply: ServerResponse) => reply.writeHead(503).end());
    handler(request, response);
  });

  async start(port = 0): Promise<string> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  then(handler: (request: IncomingMessage, response: ServerResponse) => void): this {
    this.handlers.push(handler);
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

const streamOf = (...parts: string[]) => (_: IncomingMessage, response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const part of parts) response.write(part);
  response.end();
};

describe('streamNotifications', () => {
  let server: StreamServer;
  let baseUrl: string;
  const stop = new Set<AbortController>();

  beforeEach(async () => {
    server = new StreamServer();
    baseUrl = await server.start();
  });

  afterEach(async () => {
    for (const controller of stop) controller.abort();
    stop.clear();
    await server.stop();
  });

  /** Runs the reader until `count` notifications arrived; resolves with them and the reader's end. */
  async function read(count: number, options: Partial<Parameters<typeof streamNotifications>[0]> = {}) {
    const controller = new AbortController();
    stop.add(controller);
    const received: { notification: Notification; eventId: string }[] = [];
    let enough: () => void;
    const arrived = new Promise<void>((resolve) => (enough = resolve));
    const finished = streamNotifications({
      baseUrl: `${baseUrl}/`,
      getAccessToken: () => 'token-1',
      retryDelayMs: () => 10,
      signal: controller.signal,
      ...options,
      onNotification: (item, eventId) => {
        received.push({ notification: item, eventId });
        if (received.length === count) enough();
      },
    });
    await arrived;
    controller.abort();
    await finished;
    return received;
  }

  it('asks for the stream with the token and hands over each notification once, in order, skipping comments and other events', async () => {
    const [first, second] = [notification('a1', 'Ünïcödé ✓ €'), notification('a2')];
    const bytes = Buffer.from(`: connected\n\n${frame(first)}: keep-alive\n\nevent: other\ndata: {}\n\n${frame(second)}`);
    // One byte per write: lines, events and multi-byte characters all arrive cut.
    server.then((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const byte of bytes) response.write(Buffer.of(byte));
    });

    const received = await read(2);

    expect(received).toEqual([
      { notification: first, eventId: 'a1' },
      { notification: second, eventId: 'a2' },
    ]);
    expect(server.requests[0]).toEqual({ url: '/api/v1/notifications/stream', headers: expect.objectContaining({ authorization: 'Bearer token-1', accept: 'text/event-stream' }) });
    expect(server.requests[0].headers['last-event-id']).toBeUndefined();
  });

  it('reconnects with Last-Event-ID when the stream ends, so what came meanwhile is replayed and nothing twice', async () => {
    server.then(streamOf(frame(notification('b1')), frame(notification('b2')))).then(streamOf(frame(notification('b3'))));

    const received = await read(3);

    expect(received.map((item) => item.eventId)).toEqual(['b1', 'b2', 'b3']);
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, 'b2']);
  });

  it('starts from the lastEventId it is given (a page reloaded)', async () => {
    server.then(streamOf(frame(notification('c2'))));

    await read(1, { lastEventId: 'c1' });

    expect(server.requests[0].headers['last-event-id']).toBe('c1');
  });

  it('after a refusal waits as retryDelayMs says for that status, and asks for a token again', async () => {
    const tokens = ['expired', 'refreshed', 'refreshed'];
    const refused = (status: number) => (_: IncomingMessage, response: ServerResponse) => response.writeHead(status, { 'content-type': 'application/problem+json' }).end('{"status":' + status + '}');
    server.then(refused(401)).then(refused(429)).then(streamOf(frame(notification('d1'))));
    const waits: (number | undefined)[] = [];
    const states: string[] = [];

    await read(1, {
      getAccessToken: () => tokens.shift()!,
      retryDelayMs: (status) => (waits.push(status), 10),
      onStateChange: (state, status) => states.push(`${state} ${status}`),
    });

    expect(server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer expired', 'Bearer refreshed', 'Bearer refreshed']);
    expect(waits).toEqual([401, 429]);
    expect(states).toEqual(['reconnecting 401', 'reconnecting 429', 'open 200']);
  });

  it('comes back when the server is reachable again', async () => {
    const port = Number(new URL(baseUrl).port);
    await server.stop();
    const controller = new AbortController();
    stop.add(controller);
    let arrived: (eventId: string) => void;
    const first = new Promise<string>((resolve) => (arrived = resolve));
    const finished = streamNotifications({ baseUrl, getAccessToken: () => 't', retryDelayMs: () => 50, signal: controller.signal, onNotification: (_, eventId) => arrived(eventId) });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few refused connections

    server = new StreamServer().then(streamOf(frame(notification('e1'))));
    await server.start(port);

    expect(await first).toBe('e1');
    controller.abort();
    await finished;
  });

  it('stops at once when aborted, also while waiting to reconnect', async () => {
    const controller = new AbortController();
    const finished = streamNotifications({ baseUrl, getAccessToken: () => 't', retryDelayMs: () => 60_000, signal: controller.signal, onNotification: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 100)); // refused (no handler: 503), now waiting a minute
    const started = Date.now();

    controller.abort();
    await finished;

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });
});
