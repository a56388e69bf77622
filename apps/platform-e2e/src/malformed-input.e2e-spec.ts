import { randomUUID } from 'node:crypto';
import { randomUUID as uuid } from 'node:crypto';
import { rawUpload, registerUser, TestPlatform, type TestUser } from '@platform/testing';

interface Probe {
  name: string;
  method: string;
  path: string;
  body?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
  anonymous?: boolean;
}

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const huge = (bytes: number) => JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(bytes), displayName: 'x' });

describe('a corpus of malformed requests', () => {
  let platform: TestPlatform;
  let user: TestUser;
  let orderId: string;

  beforeAll(async () => {
    platform = await TestPlatform.start('malformed-input', {
      extraEnv: { gateway: { RATE_LIMIT_PER_IP: '100000', RATE_LIMIT_LOGIN_PER_IP: '100000', RATE_LIMIT_PER_USER: '100000' } },
    });
    user = await registerUser(platform.api);
    orderId = (await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] }, { token: user.accessToken })).body.id;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  function corpus(): Probe[] {
    const bodyRoutes: [string, string, boolean][] = [
      ['POST', '/auth/register', true],
      ['POST', '/auth/login', true],
      ['POST', '/auth/refresh', true],
      ['POST', '/auth/logout', true],
      ['PATCH', '/users/me', false],
      ['POST', '/orders', false],
      ['PATCH', `/admin/orders/${orderId}/status`, false],
    ];
    const perBodyRoute = bodyRoutes.flatMap(([method, path, anonymous]): Probe[] => [
      { name: 'truncated JSON', method, path, body: '{"email": "a@b.co", ', anonymous },
      { name: 'a JSON array', method, path, body: '[]', anonymous },
      { name: 'a JSON string', method, path, body: '"hello"', anonymous },
      { name: 'JSON null', method, path, body: 'null', anonymous },
      { name: 'an empty body', method, path, body: '', anonymous },
      { name: 'text/plain', method, path, body: '{}', contentType: 'text/plain', anonymous },
      { name: 'XML', method, path, body: '<a/>', contentType: 'application/xml', anonymous },
      { name: 'a 2 MB body', method, path, body: huge(2 * 1024 * 1024), anonymous },
      { name: 'NUL bytes', method, path, body: JSON.stringify({ email: 'a\u0000@b.co', password: 'pass\u0000word', displayName: 'x\u0000', currency: 'EU\u0000', status: 'SHIP\u0000PED', refreshToken: 'rt\u0000', items: [] }), anonymous },
      { name: 'deeply nested JSON', method, path, body: deep(5_000), anonymous },
    ]);
    const token = user.accessToken;
    const order = (items: unknown, currency: unknown = 'EUR') => JSON.stringify({ currency, items });
    return [
      ...perBodyRoute,
      { name: 'a 10k-character display name', method: 'PATCH', path: '/users/me', body: JSON.stringify({ displayName: 'x'.repeat(10_000) }) },
      { name: 'a number as display name', method: 'PATCH', path: '/users/me', body: JSON.stringify({ displayName: 42 }) },
      { name: 'an object as email', method: 'POST', path: '/auth/register', body: JSON.stringify({ email: { $gt: '' }, password: 'password-1', displayName: 'x' }), anonymous: true },
      { name: 'a 200-character password', method: 'POST', path: '/auth/register', body: JSON.stringify({ email: `x-${randomUUID()}@e2e.example.com`, password: 'p'.repeat(200), displayName: 'x' }), anonymous: true },
      { name: 'an array as password at login', method: 'POST', path: '/auth/login', body: JSON.stringify({ email: user.email, password: ['a'] }), anonymous: true },
      { name: 'quantity as a string', method: 'POST', path: '/orders', body: order([{ sku: 'A', quantity: '1', unitPrice: 1 }]) },
      { name: 'quantity 1e309 (Infinity)', method: 'POST', path: '/orders', body: '{"currency":"EUR","items":[{"sku":"A","quantity":1e309,"unitPrice":1}]}' },
      { name: 'a price beyond 2^53', method: 'POST', path: '/orders', body: '{"currency":"EUR","items":[{"sku":"A","quantity":1,"unitPrice":90071992547409930}]}' },
      { name: 'a negative quantity', method: 'POST', path: '/orders', body: order([{ sku: 'A', quantity: -5, unitPrice: 1 }]) },
      { name: 'items as an object', method: 'POST', path: '/orders', body: order({ sku: 'A', quantity: 1, unitPrice: 1 }) },
      { name: 'a null item', method: 'POST', path: '/orders', body: order([null]) },
      { name: 'a 10k-character sku', method: 'POST', path: '/orders', body: order([{ sku: 'A'.repeat(10_000), quantity: 1, unitPrice: 1 }]) },
      { name: 'a currency number', method: 'POST', path: '/orders', body: order([{ sku: 'A', quantity: 1, unitPrice: 1 }], 978) },
      { name: '__proto__ pollution', method: 'POST', path: '/orders', body: '{"currency":"EUR","items":[{"sku":"A","quantity":1,"unitPrice":1}],"__proto__":{"admin":true}}' },
      { name: 'an oversized Idempotency-Key', method: 'POST', path: '/orders', body: order([{ sku: 'A', quantity: 1, unitPrice: 1 }]), headers: { 'idempotency-key': 'k'.repeat(300) } },
      { name: 'an unknown admin status', method: 'PATCH', path: `/admin/orders/${orderId}/status`, body: JSON.stringify({ status: 'LOST' }) },
      { name: 'a non-UUID order id', method: 'GET', path: '/orders/not-a-uuid' },
      { name: 'an encoded NUL in the order id', method: 'GET', path: '/orders/%00' },
      { name: 'SQL in the order id', method: 'GET', path: `/orders/${encodeURIComponent("1' OR '1'='1")}` },
      { name: 'a 5k-character order id', method: 'GET', path: `/orders/${'a'.repeat(5_000)}` },
      { name: 'a non-UUID id to cancel', method: 'POST', path: '/orders/123/cancel' },
      { name: 'a non-UUID notification id', method: 'POST', path: '/notifications/abc/read' },
      { name: 'limit=abc', method: 'GET', path: '/orders?limit=abc' },
      { name: 'limit=-1', method: 'GET', path: '/orders?limit=-1' },
      { name: 'limit=1e3', method: 'GET', path: '/orders?limit=1e3' },
      { name: 'limit given twice', method: 'GET', path: '/orders?limit=1&limit=2' },
      { name: 'a cursor with a NUL', method: 'GET', path: '/orders?cursor=%00' },
      { name: 'a 300-character cursor', method: 'GET', path: `/orders?cursor=${'A'.repeat(300)}` },
      { name: 'a cursor of base64 garbage', method: 'GET', path: `/notifications?cursor=${Buffer.from('{"x":1}').toString('base64url')}` },
      { name: 'unread=yes', method: 'GET', path: '/notifications?unread=yes' },
      { name: 'an unknown query parameter', method: 'GET', path: '/orders?admin=true' },
      { name: 'a Basic authorization', method: 'GET', path: '/users/me', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { name: 'an empty Bearer', method: 'GET', path: '/users/me', headers: { authorization: 'Bearer ' } },
      { name: 'a token with spaces', method: 'GET', path: '/users/me', headers: { authorization: 'Bearer a b c' } },
      { name: 'an unknown route', method: 'GET', path: '/admin/users' },
      { name: 'an unsupported method', method: 'PUT', path: '/orders' },
      { name: 'a path traversal', method: 'GET', path: '/orders/..%2F..%2Fetc%2Fpasswd' },
    ].map((probe) => ({ ...probe, headers: { ...(probe.anonymous ? {} : { authorization: `Bearer ${token}` }), ...probe.headers } }));
  }

  it('answers each of at least 60 bad requests with a 4xx problem+json, never a 5xx or a dropped connection', async () => {
    const probes = corpus();
    expect(probes.length).toBeGreaterThanOrEqual(60);
    const failures: string[] = [];
    for (const probe of probes) {
      const headers: Record<string, string> = { ...probe.headers };
      if (probe.body !== undefined && probe.contentType !== null) headers['content-type'] = probe.contentType ?? 'application/json';
      try {
        const response = await fetch(`${platform.url('gateway')}/api/v1${probe.path}`, { method: probe.method, headers, body: probe.body });
        const text = await response.text();
        const contentType = response.headers.get('content-type') ?? '';
        const problem = contentType.startsWith('application/problem+json') ? JSON.parse(text) : {};
        if (response.status < 400 || response.status >= 500 || problem.status !== response.status || !/^[0-9a-f]{32}$/.test(problem.traceId)) {
          failures.push(`${probe.name} (${probe.method} ${probe.path.slice(0, 60)}): ${response.status} ${contentType} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        failures.push(`${probe.name}: connection error ${(error as Error).message} ${(error as { cause?: Error }).cause?.message ?? ''}`);
      }
    }
    expect(failures).toEqual([]);
  });

  describe('a body nested a few thousand levels deep inside an order item', () => {
    const deepItem = JSON.stringify({ currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] }).replace('"A"', deep(5_000));
    const targets = [
      ['gateway', 'POST', '/api/v1/orders'],
      ['user-service', 'PATCH', '/api/v1/users/me'],
      ['order-service', 'POST', '/api/v1/orders'],
      ['notification-service', 'POST', `/api/v1/notifications/${uuid()}/read`],
    ] as const;

    it.each(targets)('is refused by %s with a 400 problem before any route or pipe recurses into it', async (service, method, path) => {
      const response = await fetch(`${platform.url(service)}${path}`, {
        method,
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
        body: path.includes('users') ? deepItem.replace('"currency"', '"displayName"') : deepItem,
      });
      expect({ status: response.status, contentType: response.headers.get('content-type') }).toEqual({ status: 400, contentType: expect.stringMatching(/^application\/problem\+json/) });
      expect(await response.json()).toEqual(
        expect.objectContaining({ status: 400, errors: [{ field: 'body', message: expect.stringMatching(/deeper than \d+ levels/) }], traceId: expect.stringMatching(/^[0-9a-f]{32}$/) }),
      );
    });
  });

  it.each(['gateway', 'user-service'] as const)('refuses a lone surrogate in an email at %s with a 400 problem (it used to crash the email validator: 500)', async (service) => {
    const response = await fetch(`${platform.url(service)}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"a\\ud800@example.com","password":"password-123","displayName":"x"}',
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 400,
      body: expect.objectContaining({ status: 400, errors: [{ field: 'body', message: expect.stringMatching(/lone surrogate/) }] }),
    });
  });

  describe('an upload over the body limit', () => {
    const targets = [
      ['gateway', 'POST', '/api/v1/auth/register'],
      ['user-service', 'POST', '/api/v1/auth/register'],
      ['order-service', 'POST', '/api/v1/orders'],
      ['notification-service', 'POST', `/api/v1/notifications/${uuid()}/read`],
    ] as const;
    const modes = [
      ['with a Content-Length', {}],
      ['chunked, without a Content-Length', { chunked: true }],
      ['with Expect: 100-continue', { expectContinue: true }],
    ] as const;

    it.each(targets.flatMap(([service, method, path]) => modes.map(([mode, options]) => [service, mode, method, path, options] as const)))(
      'is answered by %s %s with a 413 problem the client can read',
      async (service, _mode, method, path, options) => {
        const answer = await rawUpload(platform.url(service), { method, path, bodyBytes: 4 * 1024 * 1024, ...options });

        expect({ status: answer.status, contentType: answer.headers['content-type'], connection: answer.headers['connection'] }).toEqual({
          status: 413,
          contentType: expect.stringMatching(/^application\/problem\+json/),
          connection: 'close',
        });
        expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ status: 413, traceId: expect.stringMatching(/^[0-9a-f]{32}$/) }));
        // A client that announced its body is not invited to send one the server will refuse.
        if ('expectContinue' in options) expect({ invitedToSend: answer.invitedToSend, uploaded: answer.uploaded }).toEqual({ invitedToSend: false, uploaded: 0 });
      },
    );
  });

  it('is still ready and serving afterwards', async () => {
    for (const service of ['gateway', 'user-service', 'order-service', 'notification-service'] as const) {
      expect({ service, status: (await fetch(`${platform.url(service)}/health/ready`)).status }).toEqual({ service, status: 200 });
    }
    expect((await platform.api.get(`/orders/${orderId}`, { token: user.accessToken })).status).toBe(200);
  });
});
