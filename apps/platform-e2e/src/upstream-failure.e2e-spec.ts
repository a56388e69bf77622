import { sleep } from '@platform/local-platform';
import { eventually, expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';

describe('when an upstream service is down or hangs', () => {
  let platform: TestPlatform;
  let user: TestUser;

  beforeAll(async () => {
    platform = await TestPlatform.start('upstream-failure', {
      extraEnv: { gateway: { BREAKER_FAILURE_THRESHOLD: '3', BREAKER_OPEN_MS: '1500', UPSTREAM_RETRIES: '1', NOTIFICATION_SERVICE_TIMEOUT_MS: '1500' } },
    });
    user = await registerUser(platform.api);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('answers 503 at once, opens the circuit, stays ready, and recovers by itself when the upstream returns', async () => {
    await platform.platform.stopService('order-service');

    // BREAKER_FAILURE_THRESHOLD (3) requests fail, each after its retry; then the circuit is open.
    const first = await platform.api.get('/orders', { token: user.accessToken });
    expectProblem(first, 503, 'UPSTREAM.UNAVAILABLE');
    expectProblem(await platform.api.get('/orders', { token: user.accessToken }), 503, 'UPSTREAM.UNAVAILABLE');
    expectProblem(await platform.api.get('/orders', { token: user.accessToken }), 503, 'UPSTREAM.UNAVAILABLE');
    const open = await platform.api.get('/orders', { token: user.accessToken });
    expectProblem(open, 503, 'UPSTREAM.CIRCUIT_OPEN');
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The edge itself is fine, and so are the other upstreams.
    expect((await fetch(`${platform.url('gateway')}/health/ready`)).status).toBe(200);
    expect((await platform.api.get('/users/me', { token: user.accessToken })).status).toBe(200);
    const health = await fetch(`${platform.managementUrl('gateway')}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual(
      expect.objectContaining({
        status: 'error',
        details: expect.objectContaining({
          upstreams: expect.objectContaining({ status: 'down', 'order-service': expect.objectContaining({ status: 'down', circuit: 'open' }), 'user-service': expect.objectContaining({ status: 'up' }) }),
        }),
      }),
    );

    await platform.platform.startService('order-service');
    await eventually(async () => expect((await platform.api.get('/orders', { token: user.accessToken })).status).toBe(200), 10_000, 200);
    const recovered = (await (await fetch(`${platform.managementUrl('gateway')}/health`)).json()) as { details: { upstreams: Record<string, unknown> } };
    expect(recovered.details.upstreams['order-service']).toEqual(expect.objectContaining({ status: 'up', circuit: 'closed' }));
  });

  it('answers a hanging upstream within its timeout, and serves again once it answers', async () => {
    const notifications = platform.platform.process('notification-service');
    notifications.pause();
    try {
      expectProblem(await platform.api.get('/notifications', { token: user.accessToken }), 504, 'UPSTREAM.TIMEOUT');
    } finally {
      notifications.resume();
    }
    await sleep(1_600); // the circuit may have opened; it lets a trial through after BREAKER_OPEN_MS
    await eventually(async () => expect((await platform.api.get('/notifications', { token: user.accessToken })).status).toBe(200), 10_000, 200);
  });
});
