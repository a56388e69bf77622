import { OpenApiContract, eventually, registerUser, TestPlatform, type ApiResponse, type TestUser } from '@platform/testing';

const anOrder = { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 1999 }] };

const cachingHeaders = (response: ApiResponse) => ({
  status: response.status,
  etag: response.headers.get('etag'),
  cacheControl: response.headers.get('cache-control'),
  vary: response.headers.get('vary'),
});

describe('HTTP caching through the gateway', () => {
  let platform: TestPlatform;
  let user: TestUser;
  let orderId: string;

  beforeAll(async () => {
    platform = await TestPlatform.start('http-caching');
    // Every answer this suite receives must be one the served OpenAPI document describes.
    platform.api.checkAgainst(await OpenApiContract.load(platform.url('gateway')));
    user = await registerUser(platform.api);
    orderId = (await platform.api.post('/orders', anOrder, { token: user.accessToken })).body.id;
    // The data settles first (welcome and order-confirmed arrive through Kafka), so tags compared below only change when a test changes the data.
    await eventually(async () => {
      const types = (await platform.api.get('/notifications', { token: user.accessToken })).body.items.map((item: { type: string }) => item.type);
      expect(types.sort()).toEqual(['order-confirmed', 'welcome']);
    });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('never lets an answer that carries tokens be stored', async () => {
    const login = await platform.api.post('/auth/login', { email: user.email, password: user.password });
    const refresh = await platform.api.post('/auth/refresh', { refreshToken: login.body.refreshToken });
    for (const answer of [login, refresh]) {
      expect({ ...cachingHeaders(answer), etag: undefined }).toEqual({ status: 200, etag: undefined, cacheControl: 'no-store', vary: expect.stringMatching(/\bAuthorization\b/i) });
    }
  });

  it.each([
    ['the profile', () => '/users/me'],
    ['an order', () => `/orders/${orderId}`],
    ['the list of orders', () => '/orders'],
    ['the list of notifications', () => '/notifications'],
  ])('tags %s with an ETag, keeps it private and revalidated, and answers If-None-Match with a 304 without a body', async (_, path) => {
    const first = await platform.api.get(path(), { token: user.accessToken });
    expect(cachingHeaders(first)).toEqual({ status: 200, etag: expect.stringMatching(/^(W\/)?"[^"]+"$/), cacheControl: 'private, no-cache', vary: expect.stringMatching(/\bAuthorization\b/i) });

    const again = await platform.api.get(path(), { token: user.accessToken, headers: { 'if-none-match': first.headers.get('etag') as string } });
    expect({ ...cachingHeaders(again), body: again.text, contentLength: again.headers.get('content-length') ?? '0' }).toEqual({
      status: 304,
      etag: first.headers.get('etag'),
      cacheControl: 'private, no-cache',
      vary: expect.stringMatching(/\bAuthorization\b/i),
      body: '',
      contentLength: '0',
    });

    const otherTag = await platform.api.get(path(), { token: user.accessToken, headers: { 'if-none-match': '"something-else"' } });
    expect({ status: otherTag.status, body: otherTag.body }).toEqual({ status: 200, body: first.body });
  });

  it('passes through the gateway unchanged: the service and the gateway give the same tag, and both honour it', async () => {
    for (const [service, path] of [['user-service', '/api/v1/users/me'], ['order-service', `/api/v1/orders/${orderId}`], ['notification-service', '/api/v1/notifications']] as const) {
      const direct = await fetch(`${platform.url(service)}${path}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
      const proxied = await fetch(`${platform.url('gateway')}${path}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
      const revalidated = await fetch(`${platform.url('gateway')}${path}`, { headers: { authorization: `Bearer ${user.accessToken}`, 'if-none-match': direct.headers.get('etag') as string } });
      expect({ service, direct: [direct.status, direct.headers.get('etag'), direct.headers.get('cache-control'), direct.headers.get('vary')], revalidated: revalidated.status }).toEqual({
        service,
        direct: [200, proxied.headers.get('etag'), proxied.headers.get('cache-control'), proxied.headers.get('vary')],
        revalidated: 304,
      });
    }
  });

  it('changes the tag when the data changes, so a stale copy is never confirmed', async () => {
    const profile = await platform.api.get('/users/me', { token: user.accessToken });
    const orders = await platform.api.get('/orders', { token: user.accessToken });
    await platform.api.patch('/users/me', { displayName: 'Renamed' }, { token: user.accessToken });
    await platform.api.post('/orders', anOrder, { token: user.accessToken });

    for (const [path, before] of [['/users/me', profile], ['/orders', orders]] as const) {
      const after = await platform.api.get(path, { token: user.accessToken, headers: { 'if-none-match': before.headers.get('etag') as string } });
      expect({ path, status: after.status, changed: after.headers.get('etag') !== before.headers.get('etag') }).toEqual({ path, status: 200, changed: true });
    }
  });

  it('keeps problems out of caches too', async () => {
    const missing = await platform.api.get('/orders/00000000-0000-4000-8000-000000000000', { token: user.accessToken });
    expect({ ...cachingHeaders(missing), etag: missing.headers.get('etag') }).toEqual({ status: 404, etag: null, cacheControl: 'no-store', vary: expect.stringMatching(/\bAuthorization\b/i) });
  });

  it('received only answers the served OpenAPI document describes (checked on each one)', () => {
    expect(platform.api.checkedAnswers).toBeGreaterThan(10);
  });
});
