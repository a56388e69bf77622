import { randomUUID } from 'node:crypto';
import { ADMIN_EMAIL, OpenApiContract, eventually, expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';

const anOrder = { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1999 }, { sku: 'PEN-7', quantity: 1, unitPrice: 250 }] };

describe('orders and notifications through the gateway', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('orders-and-notifications');
    // Every answer this suite receives must be one the served OpenAPI document describes.
    platform.api.checkAgainst(await OpenApiContract.load(platform.url('gateway')));
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const api = () => platform.api;

  async function notificationsOf(user: TestUser, query = '') {
    const response = await api().get(`/notifications${query}`, { token: user.accessToken });
    expect(response.status).toBe(200);
    return response.body.items as { id: string; type: string; orderId?: string; readAt: string | null; title: string; body: string }[];
  }

  async function placeOrder(user: TestUser, body: unknown = anOrder) {
    const response = await api().post('/orders', body, { token: user.accessToken });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function statusOf(user: TestUser, orderId: string) {
    return (await api().get(`/orders/${orderId}`, { token: user.accessToken })).body.status;
  }

  it('greets a new user with a welcome notification', async () => {
    const user = await registerUser(api(), { displayName: 'Ada' });

    const [welcome] = await eventually(async () => {
      const items = await notificationsOf(user);
      expect(items).toHaveLength(1);
      return items;
    });
    expect(welcome).toEqual(expect.objectContaining({ type: 'welcome', title: 'Welcome, Ada!', readAt: null }));
  });

  it('answers a new order CONFIRMED from the customer copy, with its total, and notifies', async () => {
    const user = await registerUser(api());
    // order-service's copy of the user comes from user.registered; until then an order would wait PENDING.
    await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);

    const order = await placeOrder(user);
    expect(order).toEqual({
      id: expect.any(String),
      userId: user.id,
      status: 'CONFIRMED',
      currency: 'EUR',
      items: anOrder.items,
      total: 2 * 1999 + 250,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    expect(await statusOf(user, order.id)).toBe('CONFIRMED');
    const confirmed = await eventually(async () => {
      const match = (await notificationsOf(user)).find((n) => n.type === 'order-confirmed');
      expect(match).toBeDefined();
      return match!;
    });
    expect(confirmed).toEqual(expect.objectContaining({ orderId: order.id, body: expect.stringContaining('42.48 EUR') }));
  });

  it('cancels an order once: 200 CANCELLED, then 409, and an order-cancelled notification', async () => {
    const user = await registerUser(api());
    const order = await placeOrder(user);
    await eventually(async () => expect(await statusOf(user, order.id)).toBe('CONFIRMED'));

    const cancelled = await api().post(`/orders/${order.id}/cancel`, undefined, { token: user.accessToken });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');

    expectProblem(await api().post(`/orders/${order.id}/cancel`, undefined, { token: user.accessToken }), 409, 'ORDER.ILLEGAL_TRANSITION');
    await eventually(async () => expect((await notificationsOf(user)).map((n) => n.type)).toContain('order-cancelled'));
  });

  it("answers another user's order exactly like a missing one (404)", async () => {
    const owner = await registerUser(api());
    const stranger = await registerUser(api());
    const order = await placeOrder(owner);

    const peek = await api().get(`/orders/${order.id}`, { token: stranger.accessToken });
    const missing = await api().get(`/orders/${randomUUID()}`, { token: stranger.accessToken });
    const cancel = await api().post(`/orders/${order.id}/cancel`, undefined, { token: stranger.accessToken });

    expectProblem(peek, 404, 'ORDER.NOT_FOUND');
    expectProblem(missing, 404, 'ORDER.NOT_FOUND');
    expectProblem(cancel, 404, 'ORDER.NOT_FOUND');
    expect(peek.body.detail).toBe(missing.body.detail);
    expect(await statusOf(owner, order.id)).not.toBe('CANCELLED');
    expect((await api().get('/orders', { token: stranger.accessToken })).body.items).toEqual([]);
  });

  it('lets only admins ship and deliver, in order, and notifies each step', async () => {
    const user = await registerUser(api());
    const admin = await registerUser(api(), { email: ADMIN_EMAIL });
    const order = await placeOrder(user);
    await eventually(async () => expect(await statusOf(user, order.id)).toBe('CONFIRMED'));
    const setStatus = (token: string, status: string) => api().patch(`/admin/orders/${order.id}/status`, { status }, { token });

    expectProblem(await setStatus(user.accessToken, 'SHIPPED'), 403, 'AUTH.FORBIDDEN');
    expectProblem(await setStatus(admin.accessToken, 'DELIVERED'), 409, 'ORDER.ILLEGAL_TRANSITION');
    expectProblem(await setStatus(admin.accessToken, 'CANCELLED'), 400);

    expect((await setStatus(admin.accessToken, 'SHIPPED')).body.status).toBe('SHIPPED');
    expect((await setStatus(admin.accessToken, 'DELIVERED')).body.status).toBe('DELIVERED');
    expectProblem(await api().post(`/orders/${order.id}/cancel`, undefined, { token: user.accessToken }), 409);

    await eventually(async () => expect((await notificationsOf(user)).map((n) => n.type)).toEqual(expect.arrayContaining(['order-shipped', 'order-delivered'])));
  });

  it('lists own orders newest first, page by page with a cursor', async () => {
    const user = await registerUser(api());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await placeOrder(user)).id);

    const first = await api().get('/orders?limit=2', { token: user.accessToken });
    const second = await api().get(`/orders?limit=2&cursor=${first.body.nextCursor}`, { token: user.accessToken });
    const third = await api().get(`/orders?limit=2&cursor=${second.body.nextCursor}`, { token: user.accessToken });

    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((order: { id: string }) => order.id);
    expect(seen).toEqual([...ids].reverse());
    expect(third.body.nextCursor).toBeNull();
    expectProblem(await api().get('/orders?cursor=garbage!', { token: user.accessToken }), 400);
    expectProblem(await api().get('/orders?cursor=bm90LWEtY3Vyc29y', { token: user.accessToken }), 400, 'PAGINATION.INVALID_CURSOR');
    expectProblem(await api().get('/orders?limit=0', { token: user.accessToken }), 400);
    expectProblem(await api().get('/orders?limit=101', { token: user.accessToken }), 400);
  });

  it('returns the same order for a repeated Idempotency-Key, and 422 for the key with another body', async () => {
    const user = await registerUser(api());
    const key = `checkout-${randomUUID()}`;

    const first = await api().post('/orders', anOrder, { token: user.accessToken, headers: { 'idempotency-key': key } });
    const repeat = await api().post('/orders', anOrder, { token: user.accessToken, headers: { 'idempotency-key': key } });
    const other = await api().post('/orders', { ...anOrder, currency: 'USD' }, { token: user.accessToken, headers: { 'idempotency-key': key } });

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body.id).toBe(first.body.id);
    expectProblem(other, 422, 'ORDER.IDEMPOTENCY_KEY_REUSED');
    expect((await api().get('/orders', { token: user.accessToken })).body.items).toHaveLength(1);
  });

  it.each([
    ['no items', { currency: 'EUR', items: [] }, 'items'],
    ['101 items', { currency: 'EUR', items: Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1, unitPrice: 1 })) }, 'items'],
    ['quantity 0', { currency: 'EUR', items: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }, 'items.0.quantity'],
    ['quantity 1001', { currency: 'EUR', items: [{ sku: 'A', quantity: 1001, unitPrice: 1 }] }, 'items.0.quantity'],
    ['negative price', { currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: -1 }] }, 'items.0.unitPrice'],
    ['price above the limit', { currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 1_000_000_001 }] }, 'items.0.unitPrice'],
    ['fractional price', { currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 9.99 }] }, 'items.0.unitPrice'],
    ['lower-case currency', { currency: 'eur', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] }, 'currency'],
    ['a status field', { currency: 'EUR', status: 'DELIVERED', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] }, 'status'],
  ])('refuses an order with %s (400 naming %s)', async (_, body, field) => {
    const user = await registerUser(api());

    const response = await api().post('/orders', body, { token: user.accessToken });

    expectProblem(response, 400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('marks a notification read once, and hides it from other users', async () => {
    const user = await registerUser(api());
    const stranger = await registerUser(api());
    const [welcome] = await eventually(async () => {
      const items = await notificationsOf(user);
      expect(items).toHaveLength(1);
      return items;
    });

    expectProblem(await api().post(`/notifications/${welcome.id}/read`, undefined, { token: stranger.accessToken }), 404, 'NOTIFICATION.NOT_FOUND');
    const read = await api().post(`/notifications/${welcome.id}/read`, undefined, { token: user.accessToken });
    const again = await api().post(`/notifications/${welcome.id}/read`, undefined, { token: user.accessToken });

    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect(again.body.readAt).toBe(read.body.readAt);
    expect(await notificationsOf(user, '?unread=true')).toEqual([]);
    expect((await notificationsOf(user, '?unread=false')).map((n) => n.id)).toEqual([welcome.id]);
    expectProblem(await api().get('/notifications?unread=maybe', { token: user.accessToken }), 400);
  });

  it('counts unread notifications for the badge: marking one read lowers the count, only for its owner', async () => {
    const user = await registerUser(api());
    const stranger = await registerUser(api());
    const unread = async (who: TestUser) => {
      const response = await api().get('/notifications/unread-count', { token: who.accessToken });
      expect(response.status).toBe(200);
      return response.body;
    };
    await placeOrder(user);
    await eventually(async () => expect(await notificationsOf(user)).toHaveLength(2)); // welcome + order-confirmed
    expect(await unread(user)).toEqual({ count: 2 });

    const [newest] = await notificationsOf(user);
    expect((await api().post(`/notifications/${newest.id}/read`, undefined, { token: user.accessToken })).status).toBe(200);
    expect(await unread(user)).toEqual({ count: 1 });
    // Reading it again, or someone else trying to, changes nothing.
    await api().post(`/notifications/${newest.id}/read`, undefined, { token: user.accessToken });
    expectProblem(await api().post(`/notifications/${newest.id}/read`, undefined, { token: stranger.accessToken }), 404);
    expect(await unread(user)).toEqual({ count: 1 });
    await eventually(async () => expect(await unread(stranger)).toEqual({ count: 1 })); // the stranger's own welcome
    expectProblem(await api().get('/notifications/unread-count'), 401);
  });

  it('received only answers the served OpenAPI document describes (checked on each one)', () => {
    expect(platform.api.checkedAnswers).toBeGreaterThan(10);
  });
});
