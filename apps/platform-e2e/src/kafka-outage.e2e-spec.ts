import { eventually, registerUser, TestPlatform, type TestUser } from '@platform/testing';

const anOrder = { currency: 'EUR', items: [{ sku: 'OUTAGE-1', quantity: 1, unitPrice: 1000 }] };

describe('when Kafka is down', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('kafka-outage');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function welcomed(user: TestUser) {
    const response = await platform.api.get('/notifications', { token: user.accessToken });
    expect(response.body.items.map((item: { type: string }) => item.type)).toContain('welcome');
  }

  it('still accepts orders with 201 and confirms them, and notifies each exactly once when Kafka is back', async () => {
    const users = await Promise.all([registerUser(platform.api), registerUser(platform.api)]);
    for (const user of users) await eventually(() => welcomed(user), 20_000);
    // …and order-service has its copy of them (another consumer group), or it could not confirm.
    for (const user of users) await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);

    await platform.platform.stopKafka();
    await eventually(async () => expect((await fetch(`${platform.url('order-service')}/health/ready`)).status).toBe(503), 15_000);

    const orderIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const user = users[i % users.length];
      const response = await platform.api.post('/orders', anOrder, { token: user.accessToken });
      expect(response.status).toBe(201);
      orderIds.push(response.body.id);
    }
    // Confirmed from the customer copy right after the commit, without Kafka; both events of each
    // order wait in the outbox.
    const statuses = async () => (await platform.queryAs('order-service', 'SELECT status FROM orders WHERE id = ANY($1)', [orderIds])).map((row) => row.status);
    await eventually(async () => expect(await statuses()).toEqual(Array(6).fill('CONFIRMED')), 10_000, 200);
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

    // Once everything has drained (order-service's own consumer has seen each order.created and found
    // the order settled), each order still has exactly one confirmation, as event and as notification.
    await eventually(async () => {
      for (const group of ['order-service', 'notification-service']) expect(await platform.kafka.lag(group, ['platform.orders'])).toBe(0n);
    }, 30_000, 500);
    const [events] = await platform.queryAs('order-service', `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'order.confirmed' AND message_key = ANY($1)`, [orderIds]);
    expect(events.n).toBe(6);
    expect(await statuses()).toEqual(Array(6).fill('CONFIRMED'));
    expect((await confirmations()).map((row) => row.n)).toEqual(Array(6).fill(1));
    await eventually(async () => expect((await fetch(`${platform.url('order-service')}/health/ready`)).status).toBe(200), 15_000);
  });
});
