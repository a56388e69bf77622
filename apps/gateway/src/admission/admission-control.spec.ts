import Fastify, { type FastifyInstance } from 'fastify';
import { admitWithinCapacity } from './admission-control';

// Real sockets on a shared machine: the first request of a suite can take seconds under load.
jest.setTimeout(30_000);

describe('admission control', () => {
  let app: FastifyInstance;
  let release: () => void;
  let held: Promise<void>;
  /** Requests the slow routes have started working on. */
  let arrived = 0;

  /** Two requests in hand; the event-loop limit out of the way unless a test lowers it. */
  async function start(maxEventLoopDelayMs = 10_000): Promise<void> {
    arrived = 0;
    held = new Promise((resolve) => (release = resolve));
    app = Fastify();
    await admitWithinCapacity(app, { maxInFlight: 2, targetLatencyMs: 60_000, maxEventLoopDelayMs, maxQueueMs: 250 });
    app.get('/api/v1/slow', async () => {
      arrived++;
      await held;
      return { ok: true };
    });
    app.get('/api/v1/notifications/stream', async () => {
      arrived++;
      await held;
      return 'stream';
    });
    app.get('/health/ready', async () => ({ status: 'ok' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
  }

  const arrivedAt = async (count: number) => {
    const deadline = Date.now() + 10_000;
    while (arrived < count) {
      if (Date.now() > deadline) throw new Error(`only ${arrived} of ${count} requests arrived`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  afterEach(async () => {
    release();
    await app.close();
  });

  const url = (path: string) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}${path}`;

  it('answers the request past the limit at once with 503 problem+json and Retry-After, then admits again once one is done', async () => {
    await start();
    const admitted = [fetch(url('/api/v1/slow')), fetch(url('/api/v1/slow'))];
    await arrivedAt(2);

    const shed = await fetch(url('/api/v1/slow'));
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await shed.json()).toEqual(expect.objectContaining({ status: 503, code: 'GATEWAY.OVERLOADED' }));

    release();
    expect((await Promise.all(admitted)).map((response) => response.status)).toEqual([200, 200]);
    expect((await fetch(url('/api/v1/slow'))).status).toBe(200);
  });

  it('sheds an API request that waited past the limit since the edge stamped it, never a probe', async () => {
    await start();
    release();
    const stamped = (agoMs: number) => ({ headers: { 'x-request-start': `t=${(Date.now() - agoMs) * 1_000}` } });

    const late = await fetch(url('/api/v1/slow'), stamped(1_000));
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(await late.json()).toEqual(expect.objectContaining({ status: 503, code: 'GATEWAY.OVERLOADED' }));
    expect((await fetch(url('/health/ready'), stamped(1_000))).status).toBe(200);
    expect((await fetch(url('/api/v1/slow'), stamped(20))).status).toBe(200);
    expect((await fetch(url('/api/v1/slow'))).status).toBe(200);
  });

  it('never sheds probes, and does not count live streams', async () => {
    await start();
    const streams = [fetch(url('/api/v1/notifications/stream')), fetch(url('/api/v1/notifications/stream')), fetch(url('/api/v1/notifications/stream'))];
    const admitted = [fetch(url('/api/v1/slow')), fetch(url('/api/v1/slow'))];
    await arrivedAt(5);

    expect((await fetch(url('/health/ready'))).status).toBe(200);
    release();
    expect((await Promise.all([...streams, ...admitted])).map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('sheds API requests while the event loop lags (short of CPU), never probes', async () => {
    await start(50);
    release();
    // The process is starved of CPU: every 310 ms something holds the event loop for 300.
    const starve = setInterval(() => {
      const until = Date.now() + 300;
      while (Date.now() < until);
    }, 310);
    let shed: Response;
    let probe: Response;
    try {
      // Until the replica has measured the lag (one sample a second).
      const lag = () => (app as unknown as { memoryUsage(): { eventLoopDelay: number } }).memoryUsage().eventLoopDelay;
      for (const deadline = Date.now() + 15_000; lag() <= 50 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      shed = await fetch(url('/api/v1/slow'));
      probe = await fetch(url('/health/ready'));
    } finally {
      clearInterval(starve);
    }
    expect(shed.status).toBe(503);
    expect(await shed.json()).toEqual(expect.objectContaining({ code: 'GATEWAY.OVERLOADED' }));
    expect(probe.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_200)); // the lag is gone by the next samples
    expect((await fetch(url('/api/v1/slow'))).status).toBe(200);
  });

  it('frees the slot of a client that went away before its answer', async () => {
    await start();
    const gone = new AbortController();
    const abandoned = fetch(url('/api/v1/slow'), { signal: gone.signal }).catch(() => undefined);
    const admitted = fetch(url('/api/v1/slow'));
    await arrivedAt(2);
    gone.abort();
    await abandoned;
    await new Promise((resolve) => setTimeout(resolve, 100));

    const third = fetch(url('/api/v1/slow'));
    await arrivedAt(3);
    release();
    expect((await Promise.all([admitted, third])).map((response) => response.status)).toEqual([200, 200]);
  });
});
