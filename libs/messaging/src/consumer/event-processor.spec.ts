import { createEvent, OrderConfirmed, OrderCreated, toEventMessage, UserRegistered, type CloudEvent } from '@platform/contracts';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { MessagingConfig } from '../config/messaging.config';
import type { DeadLetterPublisher } from '../dead-letter/dead-letter-publisher';
import type { Inbox } from '../inbox/inbox';
import type { EventTimeline } from '../timeline/event-timeline';
import type { EventContext } from './event-context';
import { EventProcessor, MAX_EVENTS_PER_TRANSACTION, type EventHandler } from './event-processor';
import { TransactionSlots } from './transaction-slots';

const USER = '11111111-1111-4111-8111-111111111111';

function registered(index: number) {
  return createEvent(UserRegistered, { userId: USER, email: `u${index}@example.com`, displayName: `U${index}`, registeredAt: new Date().toISOString() }, '/user-service');
}

function asMessage(event: CloudEvent<object>, offset: number): KafkaMessage {
  const message = toEventMessage(event);
  return { key: Buffer.from(message.key), value: Buffer.from(message.value), headers: message.headers, offset: String(offset), timestamp: '0', attributes: 0, size: 0 } as unknown as KafkaMessage;
}

describe('EventProcessor', () => {
  let log: string[];
  let seen: Set<string>;
  let failingHandler: Set<string>;
  let failingCommits: number;
  let running: boolean;
  let open: number;
  let gate: Promise<void> | undefined;
  let mostOpen: number;
  const config = Object.assign(new MessagingConfig(), { EVENT_MAX_ATTEMPTS: 2, EVENT_RETRY_INITIAL_MS: 10, EVENT_RETRY_MAX_MS: 10 });
  const manager = { query: jest.fn(async () => [{ '?column?': 1 }]) };
  const dataSource = {
    transaction: jest.fn(async (work: (m: typeof manager) => Promise<unknown>) => {
      log.push('begin');
      mostOpen = Math.max(mostOpen, ++open);
      const staged = log.length;
      const seenBefore = new Set(seen);
      try {
        const result = await work(manager);
        if (failingCommits > 0) {
          failingCommits--;
          throw new Error('could not serialize access');
        }
        log.push('commit');
        return result;
      } catch (error) {
        log.splice(staged); // nothing of a failed transaction is kept
        seen = seenBefore;
        log.push('rollback');
        throw error;
      } finally {
        open--;
      }
    }),
  };
  const inbox = { record: jest.fn(async (_manager: unknown, event: CloudEvent<object>) => (seen.has(event.id) ? false : (seen.add(event.id), log.push(`inbox ${event.id.slice(0, 4)}`), true))) };
  const deadLetters = { send: jest.fn(async (_origin: unknown, message: KafkaMessage, failure: { reason: string }) => void log.push(`dead letter ${message.offset} ${failure.reason}`)) };
  const timeline = { mark: jest.fn() };
  const handler: EventHandler = jest.fn(async (event: CloudEvent<object>, context: EventContext) => {
    expect(context.manager).toBe(manager);
    await gate;
    if (failingHandler.has(event.id)) throw new Error('handler bug');
    log.push(`handled ${event.id.slice(0, 4)}`);
  });
  const handlers = new Map<string, EventHandler>([
    ['user.registered@v1', handler],
    ['order.confirmed@v1', handler],
  ]);

  function processor(slots = new TransactionSlots(1)): EventProcessor {
    return new EventProcessor('test-group', (key) => handlers.get(key), {
      dataSource: dataSource as unknown as DataSource,
      slots,
      inbox: inbox as unknown as Inbox,
      deadLetters: deadLetters as unknown as DeadLetterPublisher,
      config,
      isRunning: () => running,
      timeline: timeline as unknown as EventTimeline,
    });
  }

  async function run(messages: KafkaMessage[], on = processor(), partition = 3): Promise<string[]> {
    const resolved: string[] = [];
    const payload = {
      batch: { topic: 'platform.users', partition, messages },
      resolveOffset: (offset: string) => {
        resolved.push(offset);
        log.push(`resolve ${offset}`);
      },
      heartbeat: jest.fn(async () => undefined),
      commitOffsetsIfNecessary: jest.fn(async () => void log.push('commit offsets')),
      isRunning: () => running,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    await on.processBatch(payload);
    return resolved;
  }

  beforeEach(() => {
    jest.clearAllMocks();
    log = [];
    seen = new Set();
    failingHandler = new Set();
    failingCommits = 0;
    running = true;
    open = 0;
    mostOpen = 0;
    gate = undefined;
  });

  it("handles a batch's events in one transaction with their inbox rows, then resolves and commits their offsets", async () => {
    const events = [registered(1), registered(2), registered(3)];
    const resolved = await run(events.map(asMessage));
    const short = events.map((event) => event.id.slice(0, 4));
    expect(log).toEqual(['begin', ...short.flatMap((id) => [`inbox ${id}`, `handled ${id}`]), 'commit', 'resolve 0', 'resolve 1', 'resolve 2', 'commit offsets']);
    expect(resolved).toEqual(['0', '1', '2']);
    expect(timeline.mark).toHaveBeenCalledWith(events[0].id, 'stored', expect.any(Number));
  });

  it('runs no handler for an event the inbox has seen (a redelivery), and still resolves it', async () => {
    const event = registered(1);
    seen.add(event.id);
    expect(await run([asMessage(event, 7)])).toEqual(['7']);
    expect(handler).not.toHaveBeenCalled();
  });

  it('dead-letters a message that breaks the contract at once, after the events before it are handled, and goes on', async () => {
    const [before, after] = [registered(1), registered(2)];
    const poison = { ...asMessage(before, 1), value: Buffer.from('{not json') };
    await run([asMessage(before, 0), poison, asMessage(after, 2)]);
    expect(log.filter((line) => !line.startsWith('inbox'))).toEqual([
      'begin', `handled ${before.id.slice(0, 4)}`, 'commit', 'resolve 0', 'commit offsets',
      'dead letter 1 malformed-json', 'resolve 1',
      'begin', `handled ${after.id.slice(0, 4)}`, 'commit', 'resolve 2', 'commit offsets',
    ]);
  });

  it('when the shared transaction fails, keeps nothing of it and handles the events one at a time', async () => {
    failingCommits = 1;
    const events = [registered(1), registered(2)];
    await run(events.map(asMessage));
    const short = events.map((event) => event.id.slice(0, 4));
    expect(log).toEqual(['begin', 'rollback', ...short.flatMap((id, offset) => ['begin', `inbox ${id}`, `handled ${id}`, 'commit', `resolve ${offset}`]), 'commit offsets']);
  });

  it('retries a failing handler, then dead-letters its event (handler-failed) and handles the rest', async () => {
    const [bad, good] = [registered(1), registered(2)];
    failingHandler.add(bad.id);
    await run([asMessage(bad, 0), asMessage(good, 1)]);
    expect(handler).toHaveBeenCalledTimes(1 + config.EVENT_MAX_ATTEMPTS + 1); // together, then alone twice, then the good one
    expect(deadLetters.send).toHaveBeenCalledWith(expect.objectContaining({ offset: '0', consumerGroup: 'test-group' }), expect.anything(), expect.objectContaining({ reason: 'handler-failed', attempts: 2 }));
    expect(log.filter((line) => line.startsWith('resolve') || line.startsWith('dead'))).toEqual(['dead letter 0 handler-failed', 'resolve 0', 'resolve 1']);
  });

  it('resolves an event it has no handler for without a transaction (order.created in notification-service)', async () => {
    const created = createEvent(OrderCreated, { orderId: '33333333-3333-4333-8333-333333333333', userId: USER, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }], total: 1, createdAt: new Date().toISOString() }, '/order-service');
    expect(await run([asMessage(created, 4)])).toEqual(['4']);
    expect(dataSource.transaction).not.toHaveBeenCalled();
  });

  it('dead-letters an event it handles whose payload breaks the contract, and checks no payload of events it does not handle', async () => {
    const invalid = { ...asMessage(registered(1), 0), value: Buffer.from(JSON.stringify({ userId: 'not-a-uuid' })) };
    const created = createEvent(OrderCreated, { orderId: '33333333-3333-4333-8333-333333333333', userId: USER, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }], total: 1, createdAt: new Date().toISOString() }, '/order-service');
    const notOurs = { ...asMessage(created, 1), value: Buffer.from(JSON.stringify({ orderId: 'not-a-uuid' })) };
    expect(await run([invalid, notOurs])).toEqual(['0', '1']);
    expect(deadLetters.send).toHaveBeenCalledTimes(1);
    expect(deadLetters.send).toHaveBeenCalledWith(expect.objectContaining({ offset: '0' }), invalid, expect.objectContaining({ reason: 'invalid-payload' }));
  });

  it(`takes at most ${MAX_EVENTS_PER_TRANSACTION} events per transaction`, async () => {
    const events = Array.from({ length: MAX_EVENTS_PER_TRANSACTION + 1 }, (_, index) =>
      createEvent(OrderConfirmed, { orderId: '33333333-3333-4333-8333-333333333333', userId: USER, currency: 'EUR', total: index, occurredAt: new Date().toISOString() }, '/order-service'),
    );
    await run(events.map(asMessage));
    expect(log.filter((line) => line === 'commit')).toHaveLength(2);
    expect(log.filter((line) => line === 'commit offsets')).toHaveLength(2);
  });

  it("holds no more transactions at once than its slots, however many partitions' batches are in work (the API keeps the rest of the pool)", async () => {
    const shared = processor(new TransactionSlots(2));
    const batches = Array.from({ length: 6 }, (_, partition) => run([asMessage(registered(2 * partition), 0), asMessage(registered(2 * partition + 1), 1)], shared, partition));
    await Promise.all(batches);
    expect(log.filter((line) => line === 'commit')).toHaveLength(6);
    expect(mostOpen).toBe(2);
  });

  it('opens no transaction for a batch that waited for a slot while the consumer stopped, and leaves its offsets unresolved', async () => {
    const shared = processor(new TransactionSlots(1));
    let release = () => undefined as void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const first = run([asMessage(registered(1), 0), asMessage(registered(2), 1)], shared, 0);
    const waiting = run([asMessage(registered(3), 0), asMessage(registered(4), 1)], shared, 1);
    await new Promise((resolve) => setImmediate(resolve));
    running = false;
    release();
    await expect(first).resolves.toEqual(['0', '1']);
    await expect(waiting).rejects.toThrow('stopping');
    expect(log.filter((line) => line === 'begin')).toHaveLength(1);
  });

  it('stops taking messages once the consumer stops, leaving their offsets unresolved', async () => {
    running = false;
    expect(await run([asMessage(registered(1), 0)])).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
  });
});
