import { sleep } from '@platform/local-platform';
import { eventually, registerUser, TestPlatform, type TestUser } from '@platform/testing';

const TOPICS = ['platform.users', 'platform.orders'];

describe('a consumer that crashes or replays its topics', () => {
  let platform: TestPlatform;
  const users: TestUser[] = [];

  beforeAll(async () => {
    platform = await TestPlatform.start('consumer-crash-and-replay');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function welcomesPerUser(): Promise<Map<string, number>> {
    const rows = await platform.queryAs('notification-service', `SELECT user_id, count(*)::int AS n FROM notifications WHERE type = 'welcome' GROUP BY user_id`);
    return new Map(rows.map((row) => [row.user_id, row.n]));
  }

  async function drained(): Promise<void> {
    await eventually(async () => expect(await platform.kafka.lag('notification-service', TOPICS)).toBe(0n), 60_000, 500);
  }

  it('handles every event exactly once after being killed with SIGKILL mid-stream', async () => {
    // 40 registrations in flight while notification-service is killed and later restarted.
    const registering = Array.from({ length: 40 }, (_, i) => sleep(i * 40).then(() => registerUser(platform.api)));
    await eventually(async () => expect((await welcomesPerUser()).size).toBeGreaterThanOrEqual(3), 20_000, 20);
    await platform.platform.killService('notification-service');
    users.push(...(await Promise.all(registering)));
    await platform.platform.startService('notification-service');

    await eventually(async () => expect((await welcomesPerUser()).size).toBe(40), 60_000, 500);
    await drained();
    const welcomes = await welcomesPerUser();
    expect(users.map((user) => welcomes.get(user.id))).toEqual(Array(40).fill(1));
    const [inbox] = await platform.queryAs('notification-service', `SELECT count(*)::int AS handled, count(DISTINCT event_id)::int AS distinct_ids FROM inbox WHERE event_type = 'user.registered'`);
    expect(inbox).toEqual({ handled: 40, distinct_ids: 40 });
  });

  it('creates nothing twice when its consumer group is reset to the earliest offset', async () => {
    const before = await platform.queryAs('notification-service', 'SELECT count(*)::int AS n FROM notifications');

    await platform.platform.stopService('notification-service');
    await platform.kafka.resetToEarliest('notification-service', TOPICS);
    expect(await platform.kafka.lag('notification-service', TOPICS)).toBeGreaterThanOrEqual(40n);
    await platform.platform.startService('notification-service');
    await drained();

    expect(await platform.queryAs('notification-service', 'SELECT count(*)::int AS n FROM notifications')).toEqual(before);
    const welcomes = await welcomesPerUser();
    expect(users.map((user) => welcomes.get(user.id))).toEqual(Array(40).fill(1));
  });
});
