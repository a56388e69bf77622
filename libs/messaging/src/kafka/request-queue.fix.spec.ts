import RequestQueue from 'kafkajs/src/network/requestQueue';
import { fixKafkaRequestQueue } from './request-queue.fix';

type Queue = RequestQueue & { checkPendingRequests(): void; destroy(): void; maxInFlightRequests: number; inflight: Map<number, unknown> };

function aQueue(): Queue {
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const Constructor = RequestQueue as unknown as new (options: object) => Queue;
  return new Constructor({ maxInFlightRequests: 1, requestTimeout: 1_000, enforceRequestTimeout: true, clientId: 'test', broker: 'localhost:9092', logger });
}

describe('fixKafkaRequestQueue', () => {
  beforeAll(() => fixKafkaRequestQueue());

  it('schedules nothing after a response when nothing waits and nothing is throttled (kafkajs would loop on a 1 ms timer)', () => {
    const queue = aQueue();
    queue.checkPendingRequests(); // what kafkajs does on every response
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still looks again soon while a request waits for a free in-flight slot', () => {
    const queue = aQueue();
    queue.inflight.set(1, {}); // the one slot is taken
    queue.pending.push({ correlationId: 2 });
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });

  it('still looks again when the broker throttles the client', () => {
    const queue = aQueue();
    queue.throttledUntil = Date.now() + 50;
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });

  it('is applied once, however many clients are created', () => {
    const patched = RequestQueue.prototype.scheduleCheckPendingRequests;
    fixKafkaRequestQueue();
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(patched);
  });
});
