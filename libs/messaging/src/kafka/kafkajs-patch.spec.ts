import { createRequire } from 'node:module';

/** kafkajs' request queue, as installed: patches/kafkajs+2.2.4.patch must have been applied (npm's postinstall). */
interface RequestQueue {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
}

const RequestQueueClass = createRequire(__filename)('kafkajs/src/network/requestQueue') as new (options: object) => RequestQueue;

const queues: RequestQueue[] = [];

function aQueue(): RequestQueue {
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const queue = new RequestQueueClass({ maxInFlightRequests: 1, requestTimeout: 1_000, enforceRequestTimeout: true, clientId: 'test', broker: 'localhost:9092', logger });
  queues.push(queue);
  return queue;
}

afterEach(() => queues.splice(0).forEach((queue) => queue.destroy()));

describe('kafkajs, as installed with patches/kafkajs+2.2.4.patch', () => {
  it('schedules nothing after a response when nothing waits and nothing is throttled (unpatched: a 1 ms timer per connection, forever)', () => {
    const queue = aQueue();
    queue.checkPendingRequests(); // what kafkajs does on every response
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still looks again soon while a request waits for a free in-flight slot', () => {
    const queue = aQueue();
    queue.inflight.set(1, {}); // the one slot is taken
    queue.pending.push({ correlationId: 2 });
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });

  it('still looks again when the broker throttles the client', () => {
    const queue = aQueue();
    queue.throttledUntil = Date.now() + 50;
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });
});
