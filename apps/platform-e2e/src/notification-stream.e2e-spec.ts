import { randomUUID } from 'node:crypto';
import { parsePrometheus, sleep, sumOf } from '@platform/local-platform';
import { EventStreamClient, eventually, expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';
import { importJWK, SignJWT, type JWK } from 'jose';

const anOrder = { currency: 'EUR', items: [{ sku: 'TEA-1', quantity: 1, unitPrice: 450 }] };
const STREAMS_PER_USER = 2;

describe('GET /notifications/stream: live notifications through the gateway', () => {
  let platform: TestPlatform;
  const open: EventStreamClient[] = [];

  beforeAll(async () => {
    platform = await TestPlatform.start('notification-stream', {
      extraEnv: { 'notification-service': { STREAM_HEARTBEAT_MS: '1000' }, gateway: { STREAMS_PER_USER: String(STREAMS_PER_USER) } },
    });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((stream) => stream.close()));
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const api = () => platform.api;

  async function stream(user: TestUser, options: { lastEventId?: string; token?: string; baseUrl?: string } = {}) {
    const client = await EventStreamClient.open(`${options.baseUrl ?? api().baseUrl}/notifications/stream`, { token: options.token ?? user.accessToken, lastEventId: options.lastEventId });
    open.push(client);
    return client;
  }

  async function notificationsOf(user: TestUser) {
    return (await api().get('/notifications', { token: user.accessToken })).body.items as { id: string; type: string; createdAt: string }[];
  }

  async function welcomed(user: TestUser) {
    return eventually(async () => {
      const items = await notificationsOf(user);
      expect(items).toHaveLength(1);
      return items[0];
    }, 15_000);
  }

  async function placeOrder(user: TestUser) {
    const response = await api().post('/orders', anOrder, { token: user.accessToken });
    expect(response.status).toBe(201);
    return response.body as { id: string };
  }

  it('sends a notification that committed late, after newer ones, once; and a resume replays exactly what came after the last one received', async () => {
    const user = await registerUser(api());
    await welcomed(user);
    // Straight into the schema, as a slow transaction would leave it: created long before it committed.
    const insert = async (createdAt: Date) => {
      const id = randomUUID();
      await platform.queryAs('notification-service', `INSERT INTO notifications (id, user_id, type, title, body, source_event_id, created_at) VALUES ($1, $2, 'order-shipped', 'Shipped', 'On its way.', $3, $4)`, [id, user.id, `e2e-${id}`, createdAt]);
      return id;
    };
    const live = await stream(user);
    const newer = await insert(new Date());
    await eventually(() => expect(live.notifications().map((notification) => notification.id)).toEqual([newer]));
    const late = await insert(new Date(Date.now() - 30_000));
    await eventually(() => expect(live.notifications().map((notification) => notification.id)).toEqual([newer, late]), 5_000);
    await live.close();

    // A client that got `newer` but not `late` resumes from `newer`: `late` comes, and nothing else.
    const fromNewer = await stream(user, { lastEventId: newer });
    await eventually(() => expect(fromNewer.notifications().map((notification) => notification.id)).toEqual([late]), 5_000);
    await fromNewer.close();
    // One that got both resumes from `late`, the last it received: nothing is repeated.
    const fromLate = await stream(user, { lastEventId: late });
    await sleep(1_500);
    expect(fromLate.notifications()).toEqual([]);
  });

  it('pushes a new notification within a second, exactly as the list shows it', async () => {
    const user = await registerUser(api());
    await welcomed(user);
    const live = await stream(user);
    expect(live.status).toBe(200);
    expect(live.headers?.get('content-type')).toMatch(/^text\/event-stream/);

    const order = await placeOrder(user);
    const [pushed] = await eventually(() => {
      const received = live.events.filter((event) => event.event === 'notification');
      expect(received).toHaveLength(1);
      return received;
    }, 15_000);

    const listed = (await notificationsOf(user)).find((n) => n.type === 'order-confirmed')!;
    expect(pushed.id).toBe(listed.id);
    expect(JSON.parse(pushed.data)).toEqual(listed);
    expect(JSON.parse(pushed.data)).toEqual(expect.objectContaining({ orderId: order.id, type: 'order-confirmed' }));
    expect(pushed.receivedAt - Date.parse(listed.createdAt)).toBeLessThan(1_000);
    // No replay of the welcome: without Last-Event-ID only what is new comes.
    expect(live.notifications().map((n) => n.type)).toEqual(['order-confirmed']);
  });

  it("never shows one user another user's notifications", async () => {
    const [alice, bob] = [await registerUser(api()), await registerUser(api())];
    await Promise.all([welcomed(alice), welcomed(bob)]);
    const aliceStream = await stream(alice);
    const bobStream = await stream(bob);

    await placeOrder(bob);
    await eventually(() => expect(bobStream.notifications().map((n) => n.type)).toEqual(['order-confirmed']), 15_000);
    await placeOrder(alice);
    await eventually(() => expect(aliceStream.notifications().map((n) => n.type)).toEqual(['order-confirmed']), 15_000);

    const bobIds = new Set((await notificationsOf(bob)).map((n) => n.id));
    expect(aliceStream.notifications().filter((n) => bobIds.has(n.id))).toEqual([]);
    expect(bobStream.notifications()).toHaveLength(1);
  });

  it('replays what came after Last-Event-ID, in order, then goes live', async () => {
    const user = await registerUser(api());
    const welcome = await welcomed(user);
    const order = await placeOrder(user);
    await eventually(async () => expect((await notificationsOf(user)).map((n) => n.type)).toContain('order-confirmed'), 15_000);
    expect((await api().post(`/orders/${order.id}/cancel`, undefined, { token: user.accessToken })).status).toBe(200);
    await eventually(async () => expect(await notificationsOf(user)).toHaveLength(3), 15_000);
    const missed = (await notificationsOf(user)).filter((n) => n.id !== welcome.id).reverse(); // oldest first

    const resumed = await stream(user, { lastEventId: welcome.id });
    await eventually(() => expect(resumed.notifications().map((n) => n.eventId)).toEqual(missed.map((n) => n.id)), 5_000);
    expect(resumed.notifications().map((n) => n.type)).toEqual(['order-confirmed', 'order-cancelled']);

    await placeOrder(user);
    await eventually(() => expect(resumed.notifications().map((n) => n.type)).toEqual(['order-confirmed', 'order-cancelled', 'order-confirmed']), 15_000);

    // Resuming from the newest id replays nothing.
    const upToDate = await stream(user, { lastEventId: resumed.notifications()[2].eventId });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(upToDate.notifications()).toEqual([]);
  });

  it('delivers a burst larger than one read batch, each notification once, live and replayed', async () => {
    const user = await registerUser(api());
    const welcome = await welcomed(user);
    const live = await stream(user);
    // 250 notifications committed at once, all with the same created_at (as the service's own role would write them).
    await platform.queryAs(
      'notification-service',
      `INSERT INTO notifications (id, user_id, type, title, body, order_id, source_event_id, read_at, created_at)
       SELECT gen_random_uuid(), $1::uuid, 'order-shipped', 'Your order is on its way', 'burst ' || g, NULL, 'burst-' || $1::text || '-' || g, NULL, now() FROM generate_series(1, 250) g`,
      [user.id],
    );
    await eventually(() => expect(live.notifications()).toHaveLength(250), 10_000);
    expect(new Set(live.notifications().map((n) => n.id)).size).toBe(250);

    const replayed = await stream(user, { lastEventId: welcome.id });
    await eventually(() => expect(replayed.notifications()).toHaveLength(250), 10_000);
    expect(replayed.notifications().map((n) => n.id).sort()).toEqual(live.notifications().map((n) => n.id).sort());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(live.notifications()).toHaveLength(250);
  });

  it('sends a comment line while nothing happens, so proxies keep it open', async () => {
    const user = await registerUser(api());
    const quiet = await stream(user);
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    const keepAlives = quiet.comments.filter((comment) => comment.text === 'keep-alive');
    expect(keepAlives.length).toBeGreaterThanOrEqual(2);
    expect(quiet.hasEnded).toBe(false);
  });

  it('refuses a stream beyond the per-user limit with 429, and admits one again when another closes', async () => {
    const user = await registerUser(api());
    const streams = [];
    for (let i = 0; i < STREAMS_PER_USER; i++) streams.push(await stream(user));
    expect(streams.map((s) => s.status)).toEqual(Array(STREAMS_PER_USER).fill(200));

    const refused = await stream(user);
    expect(refused.status).toBe(429);
    expect(refused.headers?.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers?.get('retry-after')).toBeTruthy();
    expect(refused.problem).toEqual(expect.objectContaining({ status: 429, code: 'NOTIFICATION.TOO_MANY_STREAMS' }));

    // Someone else is not affected.
    expect((await stream(await registerUser(api()))).status).toBe(200);

    await streams[0].close();
    await eventually(async () => {
      const again = await stream(user);
      expect(again.status).toBe(200);
    }, 5_000, 200);
  });

  it("is counted in the gateway's metrics: streams open, opened, and how long each stayed open", async () => {
    const gatewayMetrics = async () => parsePrometheus(await (await fetch(`${platform.managementUrl('gateway')}/metrics`)).text());
    const before = await gatewayMetrics();
    const user = await registerUser(api());
    const live = await stream(user);
    expect((await gatewayMetrics()).find((sample) => sample.name === 'gateway_streams_open')?.value).toBeGreaterThanOrEqual(1);
    await live.close();

    await eventually(async () => {
      const after = await gatewayMetrics();
      expect(sumOf(after, 'gateway_streams_total', { outcome: 'opened' })).toBe(sumOf(before, 'gateway_streams_total', { outcome: 'opened' }) + 1);
      expect(sumOf(after, 'gateway_stream_duration_seconds_count')).toBe(sumOf(before, 'gateway_stream_duration_seconds_count') + 1);
    }, 5_000);
  });

  it('answers bad input with 4xx problems: no token 401, a Last-Event-ID that is not an id 400', async () => {
    const user = await registerUser(api());
    const anonymous = await EventStreamClient.open(`${api().baseUrl}/notifications/stream`);
    expect(anonymous.status).toBe(401);
    const badId = await stream(user, { lastEventId: 'not-an-id' });
    expect(badId.status).toBe(400);
    expect(badId.problem).toEqual(expect.objectContaining({ status: 400, code: 'NOTIFICATION.INVALID_LAST_EVENT_ID' }));
    expectProblem(await api().get('/notifications/stream', { token: 'x.y.z' }), 401);
  });

  it('ends the stream when the access token expires', async () => {
    const user = await registerUser(api());
    const signingKey = (JSON.parse(platform.platform.wiring.signingKeys) as { keys: JWK[] }).keys[0];
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: signingKey.kid } as never)
      .setSubject(user.id)
      .setIssuer('platform-user-service')
      .setAudience('platform-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 3)
      .sign(await importJWK(signingKey, 'EdDSA'));

    const expiring = await stream(user, { token: shortLived });
    expect(expiring.status).toBe(200);
    expect(expiring.hasEnded).toBe(false);
    await eventually(() => expect(expiring.hasEnded).toBe(true), 8_000, 100);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(now + 3 - 1);
    expect(expiring.comments.map((comment) => comment.text)).toContain('token expired: reconnect with a fresh token and Last-Event-ID');
  });

  it('with two notification-service replicas, a stream gets what the other replica created', async () => {
    const replicaUrl = await platform.platform.startReplica('notification-service');
    const user = await registerUser(api());
    await welcomed(user);
    // One stream on each replica: through the gateway (the first one) and straight at the replica.
    const viaFirst = await stream(user);
    const viaReplica = await stream(user, { baseUrl: `${replicaUrl}/api/v1` });
    expect([viaFirst.status, viaReplica.status]).toEqual([200, 200]);

    const handledBy = async (managementUrl: string) =>
      sumOf(parsePrometheus(await (await fetch(`${managementUrl}/metrics`)).text()), 'events_handled_total', { event_type: 'order.confirmed', outcome: 'handled' });
    const before = { first: await handledBy(platform.managementUrl('notification-service')), replica: await handledBy(platform.platform.replicaManagementUrl(replicaUrl)) };

    // Orders land on different partitions; go on until each replica has made at least one of them.
    let orders = 0;
    await eventually(async () => {
      await placeOrder(user);
      orders++;
      await eventually(async () => expect((await notificationsOf(user)).filter((n) => n.type === 'order-confirmed')).toHaveLength(orders), 15_000);
      expect(await handledBy(platform.managementUrl('notification-service'))).toBeGreaterThan(before.first);
      expect(await handledBy(platform.platform.replicaManagementUrl(replicaUrl))).toBeGreaterThan(before.replica);
    }, 60_000, 0);

    const all = (await notificationsOf(user)).filter((n) => n.type === 'order-confirmed').map((n) => n.id).sort();
    await eventually(() => {
      expect(viaFirst.notifications().map((n) => n.id).sort()).toEqual(all);
      expect(viaReplica.notifications().map((n) => n.id).sort()).toEqual(all);
    }, 5_000);
  });

  it('ends open streams on SIGTERM, so notification-service still shuts down cleanly and quickly', async () => {
    const user = await registerUser(api());
    const live = await stream(user);
    expect(live.status).toBe(200);

    const started = Date.now();
    expect(await platform.platform.stopService('notification-service')).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    await eventually(() => expect(live.hasEnded).toBe(true), 5_000);
    expect(live.comments.map((comment) => comment.text)).toContain('server shutting down');
  });
});
