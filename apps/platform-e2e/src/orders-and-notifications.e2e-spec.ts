import { randomUUID } from 'node:crypto';
import { bearer, type components } from '@platform/api-client';
import { ADMIN_EMAIL, answerOf, checkAnswersAgainst, eventually, expectProblem, OpenApiContract, signUp, TestPlatform, type ContractCheck, type TestUser } from '@platform/testing';

type CreateOrder = components['schemas']['CreateOrderRequest'];

const anOrder: CreateOrder = { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1999 }, { sku: 'PEN-7', quantity: 1, unitPrice: 250 }] };

// The client's journey through the gateway, made with the typed client of @platform/api-client
// (generated from docs/openapi.json), as an API client would; bodies the contract forbids are cast
// past the compiler on purpose (`as never`).
describe('orders and notifications through the gateway', () => {
  let platform: TestPlatform;
  let contractCheck: ContractCheck;

  beforeAll(async () => {
    platform = await TestPlatform.start('orders-and-notifications');
    // Every answer this suite receives must be one the served OpenAPI document describes.
    contractCheck = checkAnswersAgainst(await OpenApiContract.load(platform.url('gateway')));
    platform.client.use(contractCheck);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const api = () => platform.client;
  const byId = (id: string) => ({ params: { path: { id } } });

  async function notificationsOf(user: TestUser, query: { unread?: boolean } = {}) {
    const { data, response } = await api().GET('/api/v1/notifications', { headers: bearer(user.accessToken), params: { query } });
    expect(response.status).toBe(200);
    return data!.items;
  }

  async function placeOrder(user: TestUser, body: CreateOrder = anOrder) {
    const { data, response } = await api().POST('/api/v1/orders', { headers: bearer(user.accessToken), body });
    expect(response.status).toBe(201);
    return data!;
  }

  const getOrder = async (user: TestUser, orderId: string) => answerOf(await api().GET('/api/v1/orders/{id}', { ...byId(orderId), headers: bearer(user.accessToken) }));
  const statusOf = async (user: TestUser, orderId: string) => (await getOrder(user, orderId)).body.status;
  const cancel = async (user: TestUser, orderId: string) => answerOf(await api().POST('/api/v1/orders/{id}/cancel', { ...byId(orderId), headers: bearer(user.accessToken) }));
  const markRead = async (user: TestUser, notificationId: string) => answerOf(await api().POST('/api/v1/notifications/{id}/read', { ...byId(notificationId), headers: bearer(user.accessToken) }));
  const listOrders = async (user: TestUser, query: { limit?: number; cursor?: string }) => answerOf(await api().GET('/api/v1/orders', { headers: bearer(user.accessToken), params: { query } }));

  it('greets a new user with a welcome notification', async () => {
    const user = await signUp(api(), { displayName: 'Ada' });

    const [welcome] = await eventually(async () => {
      const items = await notificationsOf(user);
      expect(items).toHaveLength(1);
      return items;
    });
    expect(welcome).toEqual(expect.objectContaining({ type: 'welcome', title: 'Welcome, Ada!', readAt: null }));
  });

  it('answers a new order CONFIRMED from the customer copy, with its total, and notifies', async () => {
    const user = await signUp(api());
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
    const user = await signUp(api());
    const order = await placeOrder(user);
    await eventually(async () => expect(await statusOf(user, order.id)).toBe('CONFIRMED'));

    const cancelled = await cancel(user, order.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');

    expectProblem(await cancel(user, order.id), 409, 'ORDER.ILLEGAL_TRANSITION');
    await eventually(async () => expect((await notificationsOf(user)).map((n) => n.type)).toContain('order-cancelled'));
  });

  it("answers another user's order exactly like a missing one (404)", async () => {
    const owner = await signUp(api());
    const stranger = await signUp(api());
    const order = await placeOrder(owner);

    const peek = await getOrder(stranger, order.id);
    const missing = await getOrder(stranger, randomUUID());
    const cancelAttempt = await cancel(stranger, order.id);

    expectProblem(peek, 404, 'ORDER.NOT_FOUND');
    expectProblem(missing, 404, 'ORDER.NOT_FOUND');
    expectProblem(cancelAttempt, 404, 'ORDER.NOT_FOUND');
    expect(peek.body.detail).toBe(missing.body.detail);
    expect(await statusOf(owner, order.id)).not.toBe('CANCELLED');
    expect((await listOrders(stranger, {})).body.items).toEqual([]);
  });

  it('lets only admins ship and deliver, in order, and notifies each step', async () => {
    const user = await signUp(api());
    const admin = await signUp(api(), { email: ADMIN_EMAIL });
    const order = await placeOrder(user);
    await eventually(async () => expect(await statusOf(user, order.id)).toBe('CONFIRMED'));
    const setStatus = async (token: string, status: 'SHIPPED' | 'DELIVERED') => answerOf(await api().PATCH('/api/v1/admin/orders/{id}/status', { ...byId(order.id), headers: bearer(token), body: { status } }));

    expectProblem(await setStatus(user.accessToken, 'SHIPPED'), 403, 'AUTH.FORBIDDEN');
    expectProblem(await setStatus(admin.accessToken, 'DELIVERED'), 409, 'ORDER.ILLEGAL_TRANSITION');
    expectProblem(await setStatus(admin.accessToken, 'CANCELLED' as never), 400);

    expect((await setStatus(admin.accessToken, 'SHIPPED')).body.status).toBe('SHIPPED');
    expect((await setStatus(admin.accessToken, 'DELIVERED')).body.status).toBe('DELIVERED');
    expectProblem(await cancel(user, order.id), 409);

    await eventually(async () => expect((await notificationsOf(user)).map((n) => n.type)).toEqual(expect.arrayContaining(['order-shipped', 'order-delivered'])));
  });

  it('lists own orders newest first, page by page with a cursor', async () => {
    const user = await signUp(api());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await placeOrder(user)).id);

    const first = await listOrders(user, { limit: 2 });
    const second = await listOrders(user, { limit: 2, cursor: first.body.nextCursor });
    const third = await listOrders(user, { limit: 2, cursor: second.body.nextCursor });

    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((order: { id: string }) => order.id);
    expect(seen).toEqual([...ids].reverse());
    expect(third.body.nextCursor).toBeNull();
    expectProblem(await listOrders(user, { cursor: 'garbage!' }), 400);
    expectProblem(await listOrders(user, { cursor: 'bm90LWEtY3Vyc29y' }), 400, 'PAGINATION.INVALID_CURSOR');
    expectProblem(await listOrders(user, { limit: 0 }), 400);
    expectProblem(await listOrders(user, { limit: 101 }), 400);
  });

  it('returns the same order for a repeated Idempotency-Key, and 422 for the key with another body', async () => {
    const user = await signUp(api());
    const key = `checkout-${randomUUID()}`;
    const place = async (body: CreateOrder) => answerOf(await api().POST('/api/v1/orders', { headers: bearer(user.accessToken), params: { header: { 'Idempotency-Key': key } }, body }));

    const first = await place(anOrder);
    const repeat = await place(anOrder);
    const other = await place({ ...anOrder, currency: 'USD' });

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body.id).toBe(first.body.id);
    expectProblem(other, 422, 'ORDER.IDEMPOTENCY_KEY_REUSED');
    expect((await listOrders(user, {})).body.items).toHaveLength(1);
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
    ['a status field', { currency: 'EUR', status: 'DELIVERED', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] } as never, 'status'],
  ])('refuses an order with %s (400 naming %s)', async (_, body: CreateOrder, field) => {
    const user = await signUp(api());

    const response = answerOf(await api().POST('/api/v1/orders', { headers: bearer(user.accessToken), body }));

    expectProblem(response, 400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('marks a notification read once, and hides it from other users', async () => {
    const user = await signUp(api());
    const stranger = await signUp(api());
    const [welcome] = await eventually(async () => {
      const items = await notificationsOf(user);
      expect(items).toHaveLength(1);
      return items;
    });

    expectProblem(await markRead(stranger, welcome.id), 404, 'NOTIFICATION.NOT_FOUND');
    const read = await markRead(user, welcome.id);
    const again = await markRead(user, welcome.id);

    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect(again.body.readAt).toBe(read.body.readAt);
    expect(await notificationsOf(user, { unread: true })).toEqual([]);
    expect((await notificationsOf(user, { unread: false })).map((n) => n.id)).toEqual([welcome.id]);
    expectProblem(answerOf(await api().GET('/api/v1/notifications', { headers: bearer(user.accessToken), params: { query: { unread: 'maybe' as never } } })), 400);
  });

  it('counts unread notifications for the badge: marking one read lowers the count, only for its owner', async () => {
    const user = await signUp(api());
    const stranger = await signUp(api());
    const unread = async (who: TestUser) => {
      const { data, response } = await api().GET('/api/v1/notifications/unread-count', { headers: bearer(who.accessToken) });
      expect(response.status).toBe(200);
      return data;
    };
    await placeOrder(user);
    await eventually(async () => expect(await notificationsOf(user)).toHaveLength(2)); // welcome + order-confirmed
    expect(await unread(user)).toEqual({ count: 2 });

    const [newest] = await notificationsOf(user);
    expect((await markRead(user, newest.id)).status).toBe(200);
    expect(await unread(user)).toEqual({ count: 1 });
    // Reading it again, or someone else trying to, changes nothing.
    await markRead(user, newest.id);
    expectProblem(await markRead(stranger, newest.id), 404);
    expect(await unread(user)).toEqual({ count: 1 });
    await eventually(async () => expect(await unread(stranger)).toEqual({ count: 1 })); // the stranger's own welcome
    expectProblem(answerOf(await api().GET('/api/v1/notifications/unread-count')), 401);
  });

  it('received only answers the served OpenAPI document describes (checked on each one)', () => {
    expect(contractCheck.checked).toBeGreaterThan(10);
  });
});
