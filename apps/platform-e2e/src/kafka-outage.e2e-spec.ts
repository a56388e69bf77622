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

  it('still accepts orders with 201, and confirms and notifies each exactly once when Kafka is back', async () => {
    const users = await Promise.all([registerUser(platform.api), registerUser(platform.api)]);
    for (const user of users) await eventually(() => welcomed(user), 20_000);

    await platform.platform.stopKafka();
    await eventually(async () => expect((await fetch(`${platform.url('order-service')}/health/ready`)).status).toBe(503), 15_000);

    const orderIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const user = users[i % users.length];
      const response = await platform.api.post('/orders', anOrder, { token: user.accessToken });
      expect(response.status).toBe(201);
      orderIds.push(response.body.id);
    }
    const [waiting] = await platform.queryAs('order-service', `SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL AND event_type = 'order.created'`);
    expect(waiting.unsent).toBe(6);

    await platform.platform.restartKafka();

    await eventually(async () => {
      const rows = await platform.queryAs('order-service', 'SELECT status FROM orders WHERE id = ANY($1)', [orderIds]);
      expect(rows.map((row) => row.status)).toEqual(Array(6).fill('CONFIRMED'));
    }, 90_000, 500);
    const confirmations = () =>
      platform.queryAs('notification-service', `SELECT order_id, count(*)::int AS n FROM notifications WHERE type = 'order-confirmed' AND order_id = ANY($1) GROUP BY order_id`, [orderIds]);
    await eventually(async () => expect((await confirmations()).length).toBe(6), 60_000, 500);

    // Once everything has drained, each order still has exactly one confirmation.
    await eventually(async () => expect(await platform.kafka.lag('notification-service', ['platform.orders'])).toBe(0n), 30_000, 500);
    expect((await confirmations()).map((row) => row.n)).toEqual(Array(6).fill(1));
    await eventually(async () => expect((await fetch(`${platform.url('order-service')}/health/ready`)).status).toBe(200), 15_000);
  });
});
