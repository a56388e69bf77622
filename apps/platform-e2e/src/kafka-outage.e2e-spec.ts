import { serviceDatabaseUrl, sleep } from '@platform/local-platform';
import { eventually, registerUser, TestPlatform, type TestUser } from '@platform/testing';
import pg from 'pg';

const SERVICES = ['gateway', 'user-service', 'order-service', 'notification-service'] as const;

const anOrder = { currency: 'EUR', items: [{ sku: 'OUTAGE-1', quantity: 1, unitPrice: 1000 }] };

describe('when Kafka is down', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('kafka-outage');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const readiness = () => Promise.all(SERVICES.map(async (service) => [service, (await fetch(`${platform.url(service)}/health/ready`)).status]));
  const kafkaHealth = async (service: string) => {
    const health = (await (await fetch(`${platform.managementUrl(service as never)}/health`)).json()) as { details: { kafka?: { status: string } } };
    return health.details.kafka?.status;
  };

  async function welcomed(user: TestUser) {
    const response = await platform.api.get('/notifications', { token: user.accessToken });
    expect(response.body.items.map((item: { type: string }) => item.type)).toContain('welcome');
  }

  it('still accepts orders with 201 CONFIRMED, and notifies each exactly once when Kafka is back', async () => {
    const users = await Promise.all([registerUser(platform.api), registerUser(platform.api)]);
    for (const user of users) await eventually(() => welcomed(user), 20_000);
    // …and order-service has its copy of them (another consumer group), or it could not confirm.
    for (const user of users) await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);

    await platform.platform.stopKafka();
    // Kafka's state is a detail of the health, never readiness: every pod stays in its Service.
    await eventually(async () => expect(await kafkaHealth('order-service')).toBe('down'), 15_000);
    expect(await readiness()).toEqual(SERVICES.map((service) => [service, 200]));

    const orderIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const user = users[i % users.length];
      const response = await platform.api.post('/orders', anOrder, { token: user.accessToken });
      // Decided from the customer copy in the transaction that creates it: no Kafka needed.
      expect({ status: response.status, order: response.body.status }).toEqual({ status: 201, order: 'CONFIRMED' });
      orderIds.push(response.body.id);
    }
    // Both events of each order wait in the outbox.
    const statuses = async () => (await platform.queryAs('order-service', 'SELECT status FROM orders WHERE id = ANY($1)', [orderIds])).map((row) => row.status);
    expect(await statuses()).toEqual(Array(6).fill('CONFIRMED'));
    const unsent = () => platform.queryAs('order-service', `SELECT event_type, count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND message_key = ANY($1) GROUP BY event_type ORDER BY event_type`, [orderIds]);
    expect(await unsent()).toEqual([
      { event_type: 'order.confirmed', n: 6 },
      { event_type: 'order.created', n: 6 },
    ]);

    await platform.platform.restartKafka();

    await eventually(async () => expect(await unsent()).toEqual([]), 90_000, 500);
    const confirmations = () =>
      platform.queryAs('notification-service', `SELECT order_id, count(*)::int AS n FROM notifications WHERE type = 'order-confirmed' AND order_id = ANY($1) GROUP BY order_id`, [orderIds]);
    await eventually(async () => expect((await confirmations()).length).toBe(6), 60_000, 500);

    // Once everything has drained, each order still has exactly one confirmation, as event and as notification.
    await eventually(async () => expect(await platform.kafka.lag('notification-service', ['platform.orders'])).toBe(0n), 30_000, 500);
    const [events] = await platform.queryAs('order-service', `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'order.confirmed' AND message_key = ANY($1)`, [orderIds]);
    expect(events.n).toBe(6);
    expect(await statuses()).toEqual(Array(6).fill('CONFIRMED'));
    expect((await confirmations()).map((row) => row.n)).toEqual(Array(6).fill(1));
    await eventually(async () => expect(await kafkaHealth('order-service')).toBe('up'), 15_000);
    expect(await readiness()).toEqual(SERVICES.map((service) => [service, 200]));
  });

  it('stays ready on every service and keeps answering 201 while the broker is frozen', async () => {
    const user = await registerUser(platform.api);
    await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);
    const kafka = platform.platform.kafka!.process;
    kafka.pause(); // SIGSTOP: connections stay open, nothing answers (a hung broker, a long GC, a network partition)
    const orderIds: string[] = [];
    try {
      const frozenUntil = Date.now() + 12_000;
      while (Date.now() < frozenUntil) {
        expect(await readiness()).toEqual(SERVICES.map((service) => [service, 200]));
        const response = await platform.api.post('/orders', anOrder, { token: user.accessToken });
        expect({ status: response.status, order: response.body.status }).toEqual({ status: 201, order: 'CONFIRMED' });
        orderIds.push(response.body.id);
        await sleep(1_000);
      }
      expect(await kafkaHealth('order-service')).toBe('down');
    } finally {
      kafka.resume();
    }
    const notified = () => platform.queryAs('notification-service', `SELECT count(*)::int AS n FROM notifications WHERE type = 'order-confirmed' AND order_id = ANY($1)`, [orderIds]);
    await eventually(async () => expect((await notified())[0].n).toBe(orderIds.length), 60_000, 500);
  });

  it("answers PENDING while order-service has not heard of the user, and confirms once user.registered arrives; an order placed while that event is being handled waits for it", async () => {
    await platform.platform.stopKafka();
    // Registered while Kafka is down: user.registered waits in user-service's outbox.
    const [early, racing] = [await registerUser(platform.api), await registerUser(platform.api)];

    const pending = await platform.api.post('/orders', anOrder, { token: early.accessToken });
    expect({ status: pending.status, order: pending.body.status }).toEqual({ status: 201, order: 'PENDING' });

    // order-service's user.registered handler, caught half-way for `racing`: it holds the user's
    // lock and has written the copy, not yet committed. An order placed now must wait and then be
    // decided from the copy (deciding PENDING beside it would leave the order PENDING for ever:
    // the handler has already looked for waiting orders).
    const handler = new pg.Client({ connectionString: serviceDatabaseUrl(platform.platform.wiring.database, 'order-service') });
    await handler.connect();
    try {
      await handler.query('BEGIN');
      await handler.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`customer:${racing.id}`]);
      await handler.query(`INSERT INTO customers (user_id, updated_at) VALUES ($1, now())`, [racing.id]);
      let answered = false;
      const placing = platform.api.post('/orders', anOrder, { token: racing.accessToken }).finally(() => (answered = true));
      await sleep(1_000);
      expect(answered).toBe(false);
      await handler.query('COMMIT');
      const placed = await placing;
      expect({ status: placed.status, order: placed.body.status }).toEqual({ status: 201, order: 'CONFIRMED' });
    } finally {
      await handler.end();
    }

    await platform.platform.restartKafka();
    await eventually(async () => expect((await platform.api.get(`/orders/${pending.body.id}`, { token: early.accessToken })).body.status).toBe('CONFIRMED'), 60_000, 500);
    const notified = () => platform.queryAs('notification-service', `SELECT user_id, count(*)::int AS n FROM notifications WHERE type = 'order-confirmed' AND user_id = ANY($1) GROUP BY user_id ORDER BY user_id`, [[early.id, racing.id]]);
    await eventually(async () => expect(await notified()).toEqual([early.id, racing.id].sort().map((user_id) => ({ user_id, n: 1 }))), 60_000, 500);
  });
});
