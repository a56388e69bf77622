import { eventually, expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';

const anOrder = { currency: 'EUR', items: [{ sku: 'PG-1', quantity: 3, unitPrice: 700 }] };
const SERVICES = ['user-service', 'order-service', 'notification-service'] as const;

describe('when PostgreSQL restarts under a running platform', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('postgres-restart', { privatePostgres: true });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const readiness = (service: (typeof SERVICES)[number]) => fetch(`${platform.url(service)}/health/ready`).then((response) => response.status);

  async function confirmedAndNotified(user: TestUser, orderIds: string[]) {
    const rows = await platform.queryAs('order-service', 'SELECT status FROM orders WHERE id = ANY($1)', [orderIds]);
    expect(rows.map((row) => row.status)).toEqual(orderIds.map(() => 'CONFIRMED'));
    const notified = await platform.queryAs('notification-service', `SELECT order_id FROM notifications WHERE type = 'order-confirmed' AND user_id = $1`, [user.id]);
    expect(notified.map((row) => row.order_id).sort()).toEqual([...orderIds].sort());
  }

  it('stays up, reports not ready, answers 503, and recovers by itself with nothing lost', async () => {
    const user = await registerUser(platform.api);
    const before: string[] = [];
    for (let i = 0; i < 3; i++) before.push((await platform.api.post('/orders', anOrder, { token: user.accessToken })).body.id);

    await platform.stopPostgres();

    for (const service of SERVICES) await eventually(async () => expect(await readiness(service)).toBe(503), 15_000);
    expectProblem(await platform.api.get('/orders', { token: user.accessToken }), 503, 'SERVICE.UNAVAILABLE');
    for (const service of SERVICES) expect(platform.platform.process(service).isRunning).toBe(true);

    await platform.startPostgres();

    for (const service of SERVICES) await eventually(async () => expect(await readiness(service)).toBe(200), 30_000, 250);
    await eventually(() => confirmedAndNotified(user, before), 30_000, 500);

    const after = (await platform.api.post('/orders', anOrder, { token: user.accessToken })).body.id;
    await eventually(() => confirmedAndNotified(user, [...before, after]), 30_000, 500);
    const [duplicates] = await platform.queryAs('notification-service', `SELECT count(*)::int - count(DISTINCT order_id)::int AS n FROM notifications WHERE user_id = $1 AND type = 'order-confirmed'`, [user.id]);
    expect(duplicates.n).toBe(0);
  });
});
