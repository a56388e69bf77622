import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { bearer } from '@platform/api-client';
import { REPO_ROOT } from '@platform/local-platform';
import { answerOf, eventually, expectProblem, launchChromium, signUp, TestPlatform, WebAppServer } from '@platform/testing';
import type { Browser, Page } from 'playwright-core';

const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, if-none-match, last-event-id, traceparent, x-request-id';
const EXPOSED_HEADERS = 'ETag, RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, Location';
const API_CSP = "default-src 'none';frame-ancestors 'none'";
const PER_IP = 30;
const PER_USER = 20;

/** What the page puts on its list items (data-* attributes). */
type Dataset = { dataset: Record<string, string | undefined> };

const corsHeadersOf = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

/** A page with what it logged, so a test can assert on the browser's own words (CORS, CSP). */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; console: string[] }> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  page.on('pageerror', (error) => console.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, console };
}

async function signUpOnPage(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByLabel('Name').fill('Browser Shopper');
  await page.getByRole('button', { name: 'Create account' }).click();
}

// A web app is served from an origin of its own (another port), as app.example.com would call
// api.example.com: CORS_ORIGINS lists it, and a second copy of it on an origin the list does not
// name stands for everyone else. Chromium is Debian's, driven by playwright-core.
describe('browser clients on other origins: CORS, security headers, a web app and Swagger UI in Chromium', () => {
  let platform: TestPlatform;
  let shop: WebAppServer;
  let elsewhere: WebAppServer;
  let browser: Browser;
  let gateway: string;

  beforeAll(async () => {
    const webApp = () => new WebAppServer(join(REPO_ROOT, 'apps', 'platform-e2e', 'src', 'web-app'), { '/api-client/': join(REPO_ROOT, 'libs', 'api-client', 'src'), '/vendor/openapi-fetch/': join(REPO_ROOT, 'node_modules', 'openapi-fetch', 'dist') }).start();
    [shop, elsewhere] = await Promise.all([webApp(), webApp()]);
    platform = await TestPlatform.start('browser-clients', {
      extraEnv: { gateway: { CORS_ORIGINS: `https://app.example.com,${shop.origin}`, RATE_LIMIT_PER_IP: String(PER_IP), RATE_LIMIT_PER_USER: String(PER_USER) } },
    });
    gateway = platform.url('gateway');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await Promise.all([shop?.stop(), elsewhere?.stop()]);
  });

  const preflight = (origin: string, path = '/api/v1/orders') =>
    fetch(`${gateway}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' } });

  describe('CORS at the gateway', () => {
    it('answers a preflight from a listed origin 204 with the allowed methods and headers, the exposed headers and a max age, before auth and rate limits', async () => {
      const response = await preflight(shop.origin);

      expect(response.status).toBe(204);
      expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
        'access-control-allow-origin': shop.origin,
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-expose-headers': EXPOSED_HEADERS,
        'access-control-max-age': '7200',
      });
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);

      // More preflights than the per-IP quota, then a request without a token: preflights were not counted.
      for (let i = 0; i < PER_IP + 5; i++) expect((await preflight(shop.origin, '/api/v1/auth/register')).status).toBe(204);
      const registered = await fetch(`${gateway}/api/v1/auth/register`, {
        method: 'POST',
        headers: { origin: shop.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ email: `counted-${randomUUID()}@e2e.example.com`, password: 'a long password', displayName: 'Counted' }),
      });
      expect(registered.status).toBe(201);
      expect(Number(/r=(\d+)/.exec(registered.headers.get('ratelimit') ?? '')?.[1])).toBeGreaterThanOrEqual(PER_IP - 5);
    });

    it('gives an origin not on the list no CORS header at all: its preflight is a 404 problem, its answers carry none', async () => {
      const refused = await preflight(elsewhere.origin);
      const answered = await fetch(`${gateway}/api/v1/users/me`, { headers: { origin: elsewhere.origin } });
      const noOrigin = await fetch(`${gateway}/api/v1/users/me`);

      expect({ status: refused.status, cors: corsHeadersOf(refused) }).toEqual({ status: 404, cors: [] });
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect({ status: answered.status, cors: corsHeadersOf(answered) }).toEqual({ status: 401, cors: [] });
      expect(corsHeadersOf(noOrigin)).toEqual([]);
    });

    it('lets a listed origin read problems (401, 429) and forwarded answers, which vary on Origin too', async () => {
      const user = await signUp(platform.client);
      const fromShop = { origin: shop.origin };

      const unauthenticated = answerOf(await platform.client.GET('/api/v1/users/me', { headers: fromShop }));
      expectProblem(unauthenticated, 401, 'AUTH.UNAUTHENTICATED');
      const profile = answerOf(await platform.client.GET('/api/v1/users/me', { headers: { ...fromShop, ...bearer(user.accessToken) } }));
      expect(profile.status).toBe(200);
      for (const answer of [unauthenticated, profile]) {
        expect(answer.headers.get('access-control-allow-origin')).toBe(shop.origin);
        expect(answer.headers.get('access-control-expose-headers')).toBe(EXPOSED_HEADERS);
        expect(answer.headers.get('vary')).toMatch(/\bOrigin\b/);
      }
      expect(profile.headers.get('vary')).toMatch(/\bAuthorization\b/);

      let limited = profile;
      for (let i = 0; i <= PER_USER && limited.status !== 429; i++) limited = answerOf(await platform.client.GET('/api/v1/notifications/unread-count', { headers: { ...fromShop, ...bearer(user.accessToken) } }));
      expectProblem(limited, 429);
      expect(limited.headers.get('access-control-allow-origin')).toBe(shop.origin);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    });

    it('sends the same CORS headers on the live stream, and none to an origin not on the list', async () => {
      const user = await signUp(platform.client);
      const open = async (origin: string) => {
        const abort = new AbortController();
        const response = await fetch(`${gateway}/api/v1/notifications/stream`, { headers: { origin, accept: 'text/event-stream', ...bearer(user.accessToken) }, signal: abort.signal });
        abort.abort();
        return response;
      };

      const listed = await open(shop.origin);
      const unlisted = await open(elsewhere.origin);

      expect(listed.status).toBe(200);
      expect(listed.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(listed.headers.get('access-control-allow-origin')).toBe(shop.origin);
      expect(listed.headers.get('vary')).toMatch(/\bOrigin\b/);
      expect({ status: unlisted.status, cors: corsHeadersOf(unlisted) }).toEqual({ status: 200, cors: [] });
    });
  });

  it('puts the security headers on every answer, errors included; the docs page gets its own CSP, and HSTS is left to the TLS edge', async () => {
    const user = await signUp(platform.client);
    const stream = new AbortController();
    const answers: [string, Promise<Response>][] = [
      ['API 200 (forwarded)', fetch(`${gateway}/api/v1/users/me`, { headers: bearer(user.accessToken) })],
      ['API 401', fetch(`${gateway}/api/v1/users/me`)],
      ['API 400 (not JSON)', fetch(`${gateway}/api/v1/orders`, { method: 'POST', headers: { ...bearer(user.accessToken), 'content-type': 'application/json' }, body: '{' })],
      ['API 400 (malformed URL)', fetch(`${gateway}/api/v1/orders/%zz`)],
      ['404', fetch(`${gateway}/no/such/route`)],
      ['preflight 204', preflight(shop.origin)],
      ['JWKS', fetch(`${gateway}/.well-known/jwks.json`)],
      ['stream', fetch(`${gateway}/api/v1/notifications/stream`, { headers: bearer(user.accessToken), signal: stream.signal })],
      ['docs document', fetch(`${gateway}/docs/openapi.json`)],
      ['docs page', fetch(`${gateway}/docs`)],
    ];

    const seen = [];
    for (const [what, answer] of answers) {
      const response = await answer;
      const header = (name: string) => response.headers.get(name);
      seen.push({ what, status: response.status, nosniff: header('x-content-type-options'), frame: header('x-frame-options'), csp: header('content-security-policy'), hsts: header('strict-transport-security') });
    }
    stream.abort();

    for (const answer of seen) {
      expect(answer).toEqual(expect.objectContaining({ nosniff: 'nosniff', frame: 'DENY', csp: expect.stringContaining("frame-ancestors 'none'"), hsts: null }));
      if (!answer.what.startsWith('docs')) expect(answer).toEqual(expect.objectContaining({ csp: API_CSP }));
    }
    expect(seen.map((answer) => `${answer.what} ${answer.status}`)).toEqual([
      'API 200 (forwarded) 200',
      'API 401 401',
      'API 400 (not JSON) 400',
      'API 400 (malformed URL) 400',
      '404 404',
      'preflight 204 204',
      'JWKS 200',
      'stream 200',
      'docs document 200',
      'docs page 200',
    ]);
    const docsPolicy = seen.find((answer) => answer.what === 'docs page')!.csp!;
    expect(docsPolicy).toContain("script-src 'self'");
    expect(docsPolicy).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https:|\*/);
  });

  describe('a web app in Chromium', () => {
    let shopPage: { page: Page; console: string[] };
    const email = `browser-${randomUUID()}@e2e.example.com`;

    afterAll(async () => {
      await shopPage?.page.close();
    });

    const notificationsOnPage = () => shopPage.page.$$eval('#notifications li', (items) => items.map((item) => ({ ...(item as unknown as Dataset).dataset })));

    it('signs up, places an order, and shows its notification as it arrives on the live stream, from a listed origin', async () => {
      shopPage = await openPage(browser, `${shop.origin}/?api=${encodeURIComponent(gateway)}`);
      const { page } = shopPage;

      await signUpOnPage(page, email);
      await page.getByText(`Signed in as ${email}`).waitFor();
      await page.locator('#stream-state', { hasText: 'open' }).waitFor();
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.locator('#orders li, #error:not(:empty)').first().waitFor();
      // On failure, shows what the page said and what the browser logged.
      expect({ error: await page.locator('#error').textContent(), console: shopPage.console }).toEqual({ error: '', console: expect.any(Array) });
      const placed = page.locator('#orders li').first();
      const { orderId, requestId } = await placed.evaluate((item) => ({ ...(item as unknown as Dataset).dataset }));

      await page.locator(`#notifications li[data-order-id="${orderId}"][data-type="order-confirmed"]`).waitFor({ timeout: 15_000 });
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/); // an exposed header the page could read
      expect(await page.locator('#error').textContent()).toBe('');
      expect(shopPage.console.filter((line) => /CORS|Content Security Policy|page error/.test(line))).toEqual([]);
    });

    it('misses nothing and repeats nothing when the stream is cut: the gateway restarts, the reader reconnects with Last-Event-ID', async () => {
      expect(shopPage).toBeDefined(); // the page of the journey above
      const { page } = shopPage;
      const { data: tokens } = await platform.client.POST('/api/v1/auth/login', { body: { email, password: 'correct horse battery' } });
      const before = await notificationsOnPage();

      await platform.platform.stopService('gateway');
      let missedOrder: string;
      try {
        await page.locator('#stream-state', { hasText: 'reconnecting' }).waitFor();
        // While the gateway is down, an order placed straight at order-service (which checks the token
        // itself) is confirmed and notified: the reader can only get it by replay.
        const missed = await fetch(`${platform.url('order-service')}/api/v1/orders`, {
          method: 'POST',
          headers: { ...bearer(tokens!.accessToken), 'content-type': 'application/json' },
          body: JSON.stringify({ currency: 'EUR', items: [{ sku: 'PEN-7', quantity: 3, unitPrice: 250 }] }),
        });
        expect(missed.status).toBe(201);
        ({ id: missedOrder } = (await missed.json()) as { id: string });
        await eventually(async () => expect(await platform.queryAs('notification-service', "SELECT id FROM notifications WHERE order_id = $1 AND type = 'order-confirmed'", [missedOrder])).toHaveLength(1), 15_000);
      } finally {
        await platform.platform.startService('gateway'); // whatever happened, the suite goes on with a gateway
      }

      await page.locator(`#notifications li[data-order-id="${missedOrder}"][data-type="order-confirmed"]`).waitFor({ timeout: 15_000 });
      await page.locator('#stream-state', { hasText: 'open' }).waitFor();
      const after = await notificationsOnPage();
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.map((item) => item.eventId)).toEqual([...new Set(after.map((item) => item.eventId))]);
    });

    it('is refused by the browser on an origin not on the list: the fetch fails, Chromium names CORS, and nothing was created', async () => {
      const stranger = `refused-${randomUUID()}@e2e.example.com`;
      const { page, console } = await openPage(browser, `${elsewhere.origin}/?api=${encodeURIComponent(gateway)}`);
      try {
        await signUpOnPage(page, stranger);

        await page.locator('#error', { hasText: 'TypeError: Failed to fetch' }).waitFor();
        expect(console.some((line) => line.includes(`from origin '${elsewhere.origin}' has been blocked by CORS policy`))).toBe(true);
        expect(await page.locator('#session').textContent()).toBe('');
        // The preflight was refused, so the registration itself never left the browser.
        expect(await platform.queryAs('user-service', 'SELECT id FROM users WHERE email = $1', [stranger])).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });

  it('Swagger UI under its CSP: Authorize with a token, then "Try it out" on GET /users/me shows the profile', async () => {
    const user = await signUp(platform.client);
    const { page, console } = await openPage(browser, `${gateway}/docs`);
    try {
      await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click();
      await page.getByLabel('auth-bearer-value').fill(user.accessToken);
      await page.getByRole('button', { name: 'Apply credentials' }).click();
      await page.locator('.auth-btn-wrapper').getByRole('button', { name: 'Close' }).click();

      const operation = page.locator('#operations-users-Users_profile');
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.getByRole('button', { name: 'Execute' }).click();

      const answer = operation.locator('.live-responses-table .response');
      await answer.locator('.response-col_status', { hasText: '200' }).waitFor();
      expect(await answer.locator('.response-col_description').textContent()).toContain(user.email);
      expect(console.filter((line) => /Content Security Policy|Refused to|page error/.test(line))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
