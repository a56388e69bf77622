import { randomUUID } from 'node:crypto';
import { eventually, registerUser, TestPlatform } from '@platform/testing';

const RELAY_TOPIC = 'e2e.relay-order';

describe('running two instances of a service', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('scaling');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('two outbox relays publish every row once and keep each aggregate in order', async () => {
    await platform.platform.startReplica('order-service');
    await platform.kafka.createTopic(RELAY_TOPIC, 3);
    await eventually(async () => {
      const listeners = await platform.queryAs('order-service', `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'order-service-outbox-listener' AND datname = current_database()`);
      expect(listeners).toEqual([{ n: 2 }]);
    }, 10_000);

    // 10 aggregates × 60 events, written in small transactions that interleave the aggregates.
    const keys = Array.from({ length: 10 }, () => randomUUID());
    const sequence = new Map(keys.map((key) => [key, 0]));
    for (let batch = 0; batch < 30; batch++) {
      const rows = Array.from({ length: 20 }, (_, i) => {
        const key = keys[(batch + i) % keys.length];
        const seq = (sequence.get(key) ?? 0) + 1;
        sequence.set(key, seq);
        const id = randomUUID();
        return [id, key, JSON.stringify({ ce_id: id, ce_type: 'e2e.sequence', ce_specversion: '1.0', ce_source: '/e2e' }), JSON.stringify({ key, seq })];
      });
      const values = rows.map((_, i) => `($${i * 4 + 1}, 'e2e.sequence', '${RELAY_TOPIC}', $${i * 4 + 2}, $${i * 4 + 3}::jsonb, $${i * 4 + 4})`).join(', ');
      await platform.queryAs('order-service', `INSERT INTO outbox (event_id, event_type, topic, message_key, headers, payload) VALUES ${values}`, rows.flat());
    }

    await eventually(async () => {
      const [unsent] = await platform.queryAs('order-service', `SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND sent_at IS NULL`, [RELAY_TOPIC]);
      expect(unsent.n).toBe(0);
    }, 60_000, 250);
    const messages = await platform.kafka.readAll(RELAY_TOPIC);

    expect(messages).toHaveLength(600);
    expect(new Set(messages.map((message) => message.headers['ce_id'])).size).toBe(600);
    for (const key of keys) {
      const seqs = messages.filter((message) => message.key === key).map((message) => JSON.parse(message.value as string).seq);
      expect({ key, seqs }).toEqual({ key, seqs: Array.from({ length: 60 }, (_, i) => i + 1) });
    }
  });

  it('two consumers in one group share the partitions and handle each event once', async () => {
    await platform.platform.startReplica('notification-service');

    const assignments = await eventually(async () => {
      const members = await platform.kafka.groupAssignments('notification-service');
      expect(members).toHaveLength(2);
      for (const partitions of members) expect(partitions.length).toBeGreaterThan(0);
      return members;
    }, 30_000, 500);
    // Every partition of both topics (12 each, the default) held by exactly one of the two.
    const partitions = await platform.kafka.partitionsOf('platform.orders', 'platform.users');
    expect(partitions).toHaveLength(24);
    expect(assignments.flat().sort()).toEqual(partitions);

    const users = await Promise.all(Array.from({ length: 12 }, () => registerUser(platform.api)));
    await eventually(async () => {
      const rows = await platform.queryAs('notification-service', `SELECT user_id, count(*)::int AS n FROM notifications WHERE type = 'welcome' AND user_id = ANY($1) GROUP BY user_id`, [users.map((user) => user.id)]);
      expect(rows.map((row) => row.n)).toEqual(Array(12).fill(1));
    }, 30_000, 300);
  });
});
