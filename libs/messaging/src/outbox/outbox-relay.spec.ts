import { MessagingConfig } from '../config/messaging.config';
import type { EventTimeline } from '../timeline/event-timeline';
import type { OutboxCleanup } from './outbox-cleanup';
import type { OutboxListener } from './outbox-listener';
import type { OutboxPublisher } from './outbox-publisher';
import { OutboxRelay } from './outbox-relay';
import type { OutboxRow } from './outbox-row';
import type { RelayConnection } from './relay-connection';

type ClaimedRow = OutboxRow & { blocked: boolean };

function aRow(id: number, blocked = false): ClaimedRow {
  return { id: String(id), event_type: 'order.confirmed', topic: 'platform.orders', message_key: `order-${id}`, headers: { ce_id: `event-${id}` }, payload: '{}', blocked };
}

describe('OutboxRelay', () => {
  /** What each claim returns, in turn; empty once they are used up. */
  let claims: ClaimedRow[][];
  let statements: { sql: string; params: unknown[] }[];
  let onNotify: () => void;
  const config = Object.assign(new MessagingConfig(), { OUTBOX_BATCH_SIZE: 3, OUTBOX_POLL_INTERVAL_MS: 60_000 });
  const query = jest.fn(async (sql: string, params: unknown[]) => {
    statements.push({ sql, params });
    return sql.includes('WITH claimed') ? (claims.shift() ?? []) : [];
  });
  const connection = { transaction: jest.fn(async (work: (q: typeof query) => Promise<unknown>) => work(query)), close: jest.fn(async () => undefined) };
  const publisher = { publish: jest.fn(async (_rows: OutboxRow[]) => undefined) };
  const listener = { start: jest.fn((callback: () => void) => (onNotify = callback)), stop: jest.fn(async () => undefined) };
  const cleanup = { start: jest.fn(), stop: jest.fn() };
  const timeline = { mark: jest.fn() };
  let relay: OutboxRelay;

  const published = () => publisher.publish.mock.calls.map(([rows]) => rows.map((row) => row.id));
  const until = async (condition: () => boolean) => {
    for (let waited = 0; !condition(); waited += 5) {
      if (waited > 3_000) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  beforeEach(() => {
    jest.clearAllMocks();
    claims = [];
    statements = [];
    relay = new OutboxRelay(
      config,
      { name: 'order-service', schema: 'orders' },
      connection as unknown as RelayConnection,
      publisher as unknown as OutboxPublisher,
      listener as unknown as OutboxListener,
      cleanup as unknown as OutboxCleanup,
      timeline as unknown as EventTimeline,
    );
  });

  afterEach(() => relay.onModuleDestroy());

  it('publishes what it claims and marks it sent in the same transaction, until a claim comes back short', async () => {
    claims = [[aRow(1), aRow(2), aRow(3)], [aRow(4)]];
    relay.onApplicationBootstrap();
    await until(() => claims.length === 0 && published().length === 2);
    expect(published()).toEqual([['1', '2', '3'], ['4']]);
    const marks = statements.filter((statement) => statement.sql.includes('SET "sent_at" = now()'));
    expect(marks.map((mark) => mark.params[0])).toEqual([['1', '2', '3'], ['4']]);
    expect(connection.transaction).toHaveBeenCalledTimes(2);
  });

  it('wakes on NOTIFY', async () => {
    relay.onApplicationBootstrap();
    await until(() => connection.transaction.mock.calls.length === 1);
    claims = [[aRow(5)]];
    onNotify();
    await until(() => published().length === 1);
    expect(published()).toEqual([['5']]);
  });

  it('holds back a row an earlier unsent row of its aggregate (held by another relay) must go before, and claims again', async () => {
    claims = [[aRow(1), aRow(2, true)], [aRow(2)]];
    relay.onApplicationBootstrap();
    await until(() => published().length === 2);
    expect(published()).toEqual([['1'], ['2']]);
  });

  it('when Kafka refuses, marks nothing sent, records the error on the rows and tries them again', async () => {
    publisher.publish.mockRejectedValueOnce(new Error('broker not available'));
    claims = [[aRow(1)], [aRow(1)]];
    relay.onApplicationBootstrap();
    await until(() => published().length === 2);
    const failed = statements.find((statement) => statement.sql.includes('"last_error" = $2'));
    expect(failed?.params).toEqual([['1'], 'broker not available']);
    expect(statements.filter((statement) => statement.sql.includes('SET "sent_at" = now()')).map((mark) => mark.params[0])).toEqual([['1']]);
  });
});
