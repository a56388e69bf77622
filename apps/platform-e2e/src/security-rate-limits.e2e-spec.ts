import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ApiClient, expectProblem, registerUser, TestPlatform, type ApiResponse } from '@platform/testing';

const REDIS_URL = process.env['E2E_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

describe('rate limits at the gateway', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('security-rate-limits', {
      extraEnv: {
        gateway: {
          REDIS_URL,
          REDIS_KEY_PREFIX: `e2e:${randomUUID()}:`,
          RATE_LIMIT_PER_USER: '40',
          RATE_LIMIT_LOGIN_PER_IP: '14',
          RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '3',
          RATE_LIMIT_PER_IP: '120',
        },
      },
    });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  function expectTooManyRequests(response: ApiResponse, policy: string) {
    expectProblem(response, 429, 'RATE_LIMIT.EXCEEDED');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get('ratelimit-policy')).toContain(`"${policy}";q=`);
    expect(response.headers.get('ratelimit')).toMatch(new RegExp(`"${policy}";r=0;t=\\d+`));
  }

  it('locks an account after repeated failed logins, even for the right password, and only that account', async () => {
    const victim = await registerUser(platform.api);
    const bystander = await registerUser(platform.api);

    for (let i = 0; i < 3; i++) expectProblem(await platform.api.post('/auth/login', { email: victim.email, password: `guess-${i}` }), 401);
    const locked = await platform.api.post('/auth/login', { email: victim.email.toUpperCase(), password: victim.password });

    expectTooManyRequests(locked, 'login-account');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    expect((await platform.api.post('/auth/login', { email: bystander.email, password: bystander.password })).status).toBe(200);
  });

  it('limits every user to a quota per minute and says so in RateLimit headers', async () => {
    const user = await registerUser(platform.api);
    const first = await platform.api.get('/users/me', { token: user.accessToken });
    expect(first.headers.get('ratelimit-policy')).toBe('"user";q=40;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"user";r=39;t=\d+$/);

    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await platform.api.get('/orders', { token: user.accessToken })).status);

    expect(statuses.slice(0, 39)).toEqual(Array(39).fill(200));
    expect(statuses[39]).toBe(429);
    expectTooManyRequests(await platform.api.get('/notifications', { token: user.accessToken }), 'user');
    // Another user is not affected.
    expect((await platform.api.get('/users/me', { token: (await registerUser(platform.api)).accessToken })).status).toBe(200);
  });

  it('holds the quota across two gateway replicas sharing Redis, also when Redis forgets its scripts (a restart)', async () => {
    const replica = new ApiClient(`${await platform.platform.startReplica('gateway')}/api/v1`);
    const user = await registerUser(platform.api);

    const statuses: number[] = [];
    for (let i = 0; i < 44; i++) {
      // The counting script runs by its SHA1; after a flush the gateways send it again (NOSCRIPT).
      if (i === 20) await flushScripts();
      statuses.push((await (i % 2 === 0 ? platform.api : replica).get('/orders', { token: user.accessToken })).status);
    }

    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429]);
  });

  async function flushScripts(): Promise<void> {
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      await redis.connect();
      expect(await redis.script('FLUSH')).toBe('OK');
    } finally {
      redis.disconnect();
    }
  }

  it('limits login attempts per client IP, whatever X-Forwarded-For claims', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const response = await platform.api.post('/auth/login', { email: `nobody-${i}@e2e.example.com`, password: 'x' }, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      statuses.push(response.status);
      if (response.status === 429) expectTooManyRequests(response, 'login-ip');
    }
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429))).toEqual(Array(16 - statuses.indexOf(429)).fill(429));
  });
});
