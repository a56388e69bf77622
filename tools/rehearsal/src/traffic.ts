import { randomUUID } from 'node:crypto';
import { sleep } from '@platform/local-platform';
import { EventStreamClient } from '@platform/testing';

/** One request a client made, as it saw it. */
export interface RequestRecord {
  at: number;
  op: 'read' | 'order' | 'order-retry' | 'refresh' | 'stream-open' | 'login' | 'register';
  /** HTTP status, or 0 when no answer came (reset, refused, timed out). */
  status: number;
  ms: number;
  /** A 503 or 429 with Retry-After: load shed on purpose. */
  shed: boolean;
  /** The problem's code of a failed answer (UPSTREAM.UNAVAILABLE, GATEWAY.OVERLOADED, …), or the network error. */
  error?: string;
}

/** An order the platform acknowledged with 201. */
export interface AcknowledgedOrder {
  id: string;
  userId: string;
  idempotencyKey: string;
  acknowledgedAt: number;
  status: string;
}

interface Customer {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** Notification ids this customer's live stream delivered, with how often. */
  streamed: Map<string, number>;
  /** Where the stream resumes: the last notification it delivered (SSE's Last-Event-ID). */
  lastEventId?: string;
  stream?: EventStreamClient;
  streamsOpened: number;
}

export interface TrafficOptions {
  /** The gateway's base URL (…/api/v1), through its balancer. */
  api: string;
  customers: number;
  readsPerSecond: number;
  ordersPerSecond: number;
}

const REQUEST_TIMEOUT_MS = 15_000;
const ORDER_RETRY_MS = 1_000;
const ORDER_RETRIES = 60;
const ORDER = { currency: 'EUR', items: [{ sku: 'REHEARSAL-1', quantity: 2, unitPrice: 1250 }] };

/**
 * Steady client traffic through the gateway, as real clients make it: customers who read their
 * profile, orders and unread count, place orders with an Idempotency-Key (and send one again with
 * the same key when it failed, as a careful client does), and keep a live notification stream
 * open, resuming with Last-Event-ID whenever it ends. Every request is recorded; nothing is retried
 * behind the ledger's back.
 */
export class Traffic {
  readonly records: RequestRecord[] = [];
  readonly orders = new Map<string, AcknowledgedOrder>();
  /** Every Idempotency-Key sent, with the order id it was acknowledged with (once it was). */
  readonly keys = new Map<string, string | undefined>();
  readonly customers: Customer[] = [];
  private readonly options: TrafficOptions;
  private running = false;
  private streaming = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private loops: Promise<void>[] = [];

  constructor(options: TrafficOptions) {
    this.options = options;
  }

  /** Registers and logs in the customers, opens their streams, starts the request loops. */
  async start(): Promise<void> {
    for (let i = 0; i < this.options.customers; i++) this.customers.push(await this.signUp(i));
    this.running = true;
    this.streaming = true;
    this.loops = [
      this.every(1000 / this.options.readsPerSecond, () => this.read(this.pick())),
      this.every(1000 / this.options.ordersPerSecond, () => this.placeOrder(this.pick(), randomUUID(), 'order')),
      this.every(5_000, () => Promise.all(this.customers.map((customer) => this.refreshIfDue(customer)))),
      ...this.customers.map((customer) => this.keepStreaming(customer)),
    ];
  }

  /** Stops placing and reading; waits for requests and order retries under way. Streams stay open. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops.slice(0, 3));
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Closes the live streams (after the ledger has read them). */
  async closeStreams(): Promise<void> {
    this.streaming = false;
    for (const customer of this.customers) {
      const stream = customer.stream;
      customer.stream = undefined;
      await stream?.close();
    }
    await Promise.all(this.loops.slice(3));
  }

  /**
   * A burst of orders on top of the steady rate: `concurrency` customers placing one order after
   * another for `ms` (each retried with its key until acknowledged, as all orders are). Resolves
   * when the burst's last order has an answer.
   */
  async burst(ms: number, concurrency: number): Promise<void> {
    const until = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, index) => {
        const customer = this.customers[index % this.customers.length];
        while (Date.now() < until) await this.placeOrder(customer, randomUUID(), 'order');
      }),
    );
  }

  recordsBetween(from: number, to: number): RequestRecord[] {
    return this.records.filter((record) => record.at >= from && record.at < to);
  }

  /** Issues `request` every `intervalMs` (open loop: a slow answer does not slow the arrivals). */
  private async every(intervalMs: number, request: () => Promise<unknown>): Promise<void> {
    let next = Date.now();
    while (this.running) {
      const pending = request().catch(() => undefined);
      this.inFlight.add(pending);
      void pending.finally(() => this.inFlight.delete(pending));
      next += intervalMs;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  private pick(): Customer {
    return this.customers[Math.floor(Math.random() * this.customers.length)];
  }

  private async call(op: RequestRecord['op'], method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
    const at = Date.now();
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${this.options.api}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const text = await response.text();
      const shed = (response.status === 503 || response.status === 429) && response.headers.has('retry-after');
      const body = text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
      this.records.push({ at, op, status: response.status, ms: Date.now() - at, shed, ...(response.status >= 400 ? { error: body?.code ?? (text.slice(0, 60) || 'no body') } : {}) });
      return { status: response.status, body };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      this.records.push({ at, op, status: 0, ms: Date.now() - at, shed: false, error: cause });
      return { status: 0, body: undefined };
    }
  }

  private async signUp(index: number): Promise<Customer> {
    const email = `rehearsal-${index}-${randomUUID()}@rehearsal.example.com`;
    const password = `pw-${randomUUID()}`;
    const registered = await this.call('register', 'POST', '/auth/register', { body: { email, password, displayName: `Rehearsal ${index}` } });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    const customer: Customer = { id: registered.body.id, email, password, accessToken: '', refreshToken: '', expiresAt: 0, streamed: new Map(), streamsOpened: 0 };
    const login = await this.call('login', 'POST', '/auth/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    this.takeTokens(customer, login.body);
    return customer;
  }

  private takeTokens(customer: Customer, pair: { accessToken: string; refreshToken: string; expiresIn: number }): void {
    customer.accessToken = pair.accessToken;
    customer.refreshToken = pair.refreshToken;
    customer.expiresAt = Date.now() + pair.expiresIn * 1000;
  }

  /** A minute before the access token expires, the client trades its refresh token for a new pair. */
  private async refreshIfDue(customer: Customer): Promise<void> {
    if (customer.expiresAt - Date.now() > 60_000) return;
    const refreshed = await this.call('refresh', 'POST', '/auth/refresh', { body: { refreshToken: customer.refreshToken } });
    if (refreshed.status === 200) this.takeTokens(customer, refreshed.body);
  }

  private async read(customer: Customer): Promise<void> {
    const paths = ['/users/me', '/orders?limit=10', '/notifications/unread-count'];
    await this.call('read', 'GET', paths[Math.floor(Math.random() * paths.length)], { token: customer.accessToken });
  }

  /** Places an order; one that failed is sent again with the same key until it is acknowledged. */
  private async placeOrder(customer: Customer, key: string, op: 'order' | 'order-retry', attempt = 1): Promise<void> {
    if (!this.keys.has(key)) this.keys.set(key, undefined);
    const answer = await this.call(op, 'POST', '/orders', { token: customer.accessToken, body: ORDER, headers: { 'idempotency-key': key } });
    if (answer.status === 201) {
      this.keys.set(key, answer.body.id);
      if (!this.orders.has(answer.body.id)) this.orders.set(answer.body.id, { id: answer.body.id, userId: customer.id, idempotencyKey: key, acknowledgedAt: Date.now(), status: answer.body.status });
      return;
    }
    if (attempt >= ORDER_RETRIES) return;
    await sleep(ORDER_RETRY_MS);
    await this.placeOrder(customer, key, 'order-retry', attempt + 1);
  }

  /** The customer's live stream, resumed with Last-Event-ID whenever it ends. */
  private async keepStreaming(customer: Customer): Promise<void> {
    while (this.streaming) {
      customer.streamsOpened++;
      const at = Date.now();
      const stream = await EventStreamClient.open(`${this.options.api}/notifications/stream`, { token: customer.accessToken, lastEventId: customer.lastEventId }).catch(() => undefined);
      this.records.push({ at, op: 'stream-open', status: stream?.status ?? 0, ms: Date.now() - at, shed: false });
      if (!stream || stream.status !== 200) {
        await sleep(1_000);
        continue;
      }
      if (!this.streaming) {
        await stream.close();
        return;
      }
      customer.stream = stream;
      let seen = 0;
      const take = () => {
        for (; seen < stream.events.length; seen++) {
          const event = stream.events[seen];
          if (event.event !== 'notification' || !event.id) continue;
          customer.streamed.set(event.id, (customer.streamed.get(event.id) ?? 0) + 1);
          customer.lastEventId = event.id;
        }
      };
      while (!stream.hasEnded && customer.stream === stream) {
        take();
        await sleep(100);
      }
      take();
      if (customer.stream !== stream) return; // closed by closeStreams()
      await sleep(100);
    }
  }
}
