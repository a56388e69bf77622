import { type DatabaseService } from '@platform/local-platform';
import { eventually, expectProblem, registerUser, TestPlatform } from '@platform/testing';

const SCHEMAS: Record<DatabaseService, string> = { 'user-service': 'users', 'order-service': 'orders', 'notification-service': 'notifications' };

describe('DELETE /users/me erases the user everywhere', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('erasure');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  /** Rows of every table of a service's schema whose text mentions one of the needles. */
  async function rowsMentioning(service: DatabaseService, needles: string[]): Promise<string[]> {
    const tables = await platform.queryAs(service, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [SCHEMAS[service]]);
    const found: string[] = [];
    for (const { table_name } of tables) {
      const rows = await platform.queryAs(service, `SELECT t::text AS row FROM "${SCHEMAS[service]}"."${table_name}" t WHERE ${needles.map((_, i) => `strpos(lower(t::text), lower($${i + 1})) > 0`).join(' OR ')}`, needles);
      found.push(...rows.map((row) => `${table_name}: ${row.row}`));
    }
    return found;
  }

  it('leaves no personal data and no row about the user in any service within seconds', async () => {
    const user = await registerUser(platform.api, { displayName: 'Erasable Person' });
    const bystander = await registerUser(platform.api, { displayName: 'Bystander' });
    const confirmed = (await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'GDPR-1', quantity: 1, unitPrice: 100 }] }, { token: user.accessToken })).body;
    await eventually(async () => expect((await platform.api.get(`/orders/${confirmed.id}`, { token: user.accessToken })).body.status).toBe('CONFIRMED'), 20_000);
    await platform.api.patch('/users/me', { displayName: 'Erasable Person Renamed' }, { token: user.accessToken });
    await eventually(async () => expect((await platform.api.get('/notifications', { token: user.accessToken })).body.items.length).toBeGreaterThanOrEqual(2), 20_000);
    // order-service knows the user (its copy decided the order) and keeps none of their personal data.
    expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1);
    expect(await rowsMentioning('order-service', [user.email, user.displayName, 'Erasable Person Renamed'])).toEqual([]);
    await eventually(async () => expect(await rowsMentioning('notification-service', [user.email])).not.toEqual([]), 20_000);

    // Mail went to the address while the account lived (welcome, order confirmed) …
    await eventually(() => expect(platform.mail.mailsTo(user.email).map((mail) => mail.subject).sort()).toEqual(['Welcome, Erasable Person!', 'Your order is confirmed']), 20_000);

    // A preference row too: every feature of notification-service keeps something about the user.
    expect((await platform.api.put('/notifications/preferences', { email: true }, { token: user.accessToken })).status).toBe(200);

    const erased = await platform.api.delete('/users/me', { token: user.accessToken });
    expect(erased.status).toBe(204);

    const personal = [user.email, user.displayName, 'Erasable Person Renamed'];
    await eventually(async () => {
      for (const service of Object.keys(SCHEMAS) as DatabaseService[]) {
        expect({ service, rows: await rowsMentioning(service, personal) }).toEqual({ service, rows: [] });
      }
      expect(await platform.queryAs('user-service', 'SELECT id FROM users WHERE id = $1 UNION ALL SELECT id FROM refresh_tokens WHERE user_id = $1', [user.id])).toEqual([]);
      expect(await platform.queryAs('order-service', 'SELECT user_id FROM customers WHERE user_id = $1 UNION ALL SELECT id FROM orders WHERE user_id = $1', [user.id])).toEqual([]);
      expect(await platform.queryAs('notification-service', 'SELECT id FROM notifications WHERE user_id = $1', [user.id])).toEqual([]);
      // Not even the id: notifications, deliveries, address, preferences (only a hash of it stays).
      expect(await rowsMentioning('notification-service', [user.id])).toEqual([]);
    }, 10_000, 250);

    // … and none after: the order the erasure cancelled sends no "order cancelled" mail to anybody.
    const bystanderMails = platform.mail.mailsTo(bystander.email).length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(platform.mail.mailsTo(user.email)).toHaveLength(2);
    expect(platform.mail.mails.filter((mail) => mail.subject === 'Your order was cancelled')).toEqual([]);
    expect(platform.mail.mailsTo(bystander.email)).toHaveLength(bystanderMails);
    // The open order was cancelled and kept for the books, with nobody attached to it.
    expect(await platform.queryAs('order-service', 'SELECT status, user_id FROM orders WHERE id = $1', [confirmed.id])).toEqual([{ status: 'CANCELLED', user_id: null }]);
    // The account is gone for its owner too.
    expectProblem(await platform.api.post('/auth/login', { email: user.email, password: user.password }), 401);
    expectProblem(await platform.api.post('/auth/refresh', { refreshToken: user.refreshToken }), 401);
    // Nobody else lost anything.
    expect((await platform.api.get('/users/me', { token: bystander.accessToken })).body.displayName).toBe('Bystander');
    expect((await platform.api.get('/notifications', { token: bystander.accessToken })).body.items).toHaveLength(1);
  });

  it('rejects an order the erased user places with a still-valid token, and keeps nothing of it', async () => {
    const user = await registerUser(platform.api);
    await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);
    expect((await platform.api.delete('/users/me', { token: user.accessToken })).status).toBe(204);
    await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toEqual([]), 20_000);

    const late = await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'LATE-1', quantity: 1, unitPrice: 1 }] }, { token: user.accessToken });
    expect({ status: late.status, order: late.body.status }).toEqual({ status: 201, order: 'REJECTED' });
    expect(await platform.queryAs('order-service', 'SELECT status, user_id FROM orders WHERE id = $1', [late.body.id])).toEqual([{ status: 'REJECTED', user_id: null }]);
    // Its order.rejected reaches notification-service, which keeps nothing about an erased user.
    await eventually(async () => expect(await platform.kafka.lag('notification-service', ['platform.orders'])).toBe(0n), 20_000, 250);
    expect(await platform.queryAs('notification-service', 'SELECT id FROM notifications WHERE user_id = $1', [user.id])).toEqual([]);
  });
});
