import { randomUUID } from 'node:crypto';
import { type ServiceName } from '@platform/local-platform';
import { ADMIN_EMAIL, eventually, expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';

describe('authorization: ownership, roles and mass assignment', () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let intruder: TestUser;
  let admin: TestUser;
  let orderId: string;
  let notificationId: string;

  beforeAll(async () => {
    platform = await TestPlatform.start('security-authorization');
    [owner, intruder, admin] = await Promise.all([registerUser(platform.api), registerUser(platform.api), registerUser(platform.api, { email: ADMIN_EMAIL })]);
    orderId = (await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'BOLA-1', quantity: 1, unitPrice: 100 }] }, { token: owner.accessToken })).body.id;
    notificationId = await eventually(async () => {
      const items = (await platform.api.get('/notifications', { token: owner.accessToken })).body.items;
      expect(items.length).toBeGreaterThan(0);
      return items[0].id as string;
    }, 20_000);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  /** Every route that names a resource, as method, path, upstream and body. */
  const resourceRoutes = () =>
    [
      ['GET', `/orders/${orderId}`, 'order-service', undefined],
      ['POST', `/orders/${orderId}/cancel`, 'order-service', undefined],
      ['POST', `/notifications/${notificationId}/read`, 'notification-service', undefined],
    ] as [string, string, ServiceName, unknown][];

  it("answers every resource route for another user's resource like a missing one (404), through the gateway and directly", async () => {
    const leaks: string[] = [];
    for (const [method, path, service, body] of resourceRoutes()) {
      for (const base of [`${platform.url('gateway')}/api/v1`, `${platform.url(service)}/api/v1`]) {
        const missingPath = path.replace(/[0-9a-f-]{36}/, randomUUID());
        const foreign = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${intruder.accessToken}` }, body: body ? JSON.stringify(body) : undefined });
        const missing = await fetch(`${base}${missingPath}`, { method, headers: { authorization: `Bearer ${intruder.accessToken}` } });
        const [foreignBody, missingBody] = [(await foreign.json()) as { detail?: string; code?: string }, (await missing.json()) as { detail?: string; code?: string }];
        if (foreign.status !== 404 || missing.status !== 404 || foreignBody.detail !== missingBody.detail || foreignBody.code !== missingBody.code) {
          leaks.push(`${method} ${base}${path}: ${foreign.status} ${JSON.stringify(foreignBody)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // Nothing changed for the owner.
    expect((await platform.api.get(`/orders/${orderId}`, { token: owner.accessToken })).body.status).not.toBe('CANCELLED');
    const notifications = (await platform.api.get('/notifications', { token: owner.accessToken })).body.items;
    expect(notifications.find((n: { id: string }) => n.id === notificationId).readAt).toBeNull();
  });

  it('lists only the caller’s own orders and notifications', async () => {
    expect((await platform.api.get('/orders', { token: intruder.accessToken })).body.items).toEqual([]);
    const theirs = (await platform.api.get('/notifications', { token: intruder.accessToken })).body.items;
    expect(theirs.map((n: { id: string }) => n.id)).not.toContain(notificationId);
  });

  it('keeps admin routes for admins: 403 for a user at the gateway and at order-service itself', async () => {
    const body = JSON.stringify({ status: 'SHIPPED' });
    for (const base of [`${platform.url('gateway')}/api/v1`, `${platform.url('order-service')}/api/v1`]) {
      const response = await fetch(`${base}/admin/orders/${orderId}/status`, { method: 'PATCH', headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' }, body });
      expect({ base, status: response.status }).toEqual({ base, status: 403 });
    }
    await eventually(async () => expect((await platform.api.get(`/orders/${orderId}`, { token: owner.accessToken })).body.status).toBe('CONFIRMED'), 20_000);
    expect((await platform.api.patch(`/admin/orders/${orderId}/status`, { status: 'SHIPPED' }, { token: admin.accessToken })).status).toBe(200);
  });

  it.each([
    ['register', 'POST', '/auth/register', (extra: object) => ({ email: `m-${randomUUID()}@e2e.example.com`, password: 'password-123', displayName: 'M', ...extra }), [{ roles: ['admin'] }, { id: randomUUID() }, { createdAt: '2000-01-01T00:00:00Z' }, { passwordHash: 'x' }]],
    ['profile', 'PATCH', '/users/me', (extra: object) => ({ displayName: 'M', ...extra }), [{ email: 'new@example.com' }, { roles: ['admin'] }, { id: randomUUID() }]],
    ['order', 'POST', '/orders', (extra: object) => ({ currency: 'EUR', items: [{ sku: 'M-1', quantity: 1, unitPrice: 1 }], ...extra }), [{ userId: randomUUID() }, { status: 'DELIVERED' }, { total: 0 }, { id: randomUUID() }]],
    ['order item', 'POST', '/orders', (extra: object) => ({ currency: 'EUR', items: [{ sku: 'M-1', quantity: 1, unitPrice: 1, ...extra }] }), [{ total: 1 }, { discount: 100 }]],
  ])('refuses fields a client may not set in the %s body', async (_, method, path, body, extras) => {
    for (const extra of extras) {
      const response = await platform.api.request(method, path, body(extra), { token: owner.accessToken });
      expectProblem(response, 400);
      expect(response.body.errors.map((error: { field: string }) => error.field.split('.').pop())).toContain(Object.keys(extra)[0]);
    }
    const profile = (await platform.api.get('/users/me', { token: owner.accessToken })).body;
    expect(profile).toEqual(expect.objectContaining({ id: owner.id, email: owner.email, roles: ['user'] }));
  });
});
