import { randomUUID } from 'node:crypto';
import { eventually, registerUser, TestPlatform, type ReadMessage } from '@platform/testing';

const DLQ = 'platform.dlq.notification-service';

function userRegistered(overrides: { id?: string; version?: string; type?: string; value?: string; userId?: string } = {}) {
  const userId = overrides.userId ?? randomUUID();
  return {
    key: userId,
    value: overrides.value ?? JSON.stringify({ userId, email: `${userId}@e2e.example.com`, displayName: 'Dead Letter', registeredAt: new Date().toISOString() }),
    headers: {
      ce_specversion: '1.0',
      ce_id: overrides.id ?? randomUUID(),
      ce_source: '/e2e',
      ce_type: overrides.type ?? 'user.registered',
      ce_dataversion: overrides.version ?? '1',
      'content-type': 'application/json',
    },
  };
}

describe('poison messages and dead letters', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('dead-letters', {
      extraEnv: { 'notification-service': { EVENT_MAX_ATTEMPTS: '2', EVENT_RETRY_INITIAL_MS: '50' } },
    });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function deadLetters(): Promise<ReadMessage[]> {
    return (await platform.kafka.readAll(DLQ).catch(() => [])) as ReadMessage[];
  }

  it('dead-letters bad JSON, unknown types and versions and invalid payloads with their reason, and keeps consuming', async () => {
    const poison = {
      'malformed-json': userRegistered({ value: '{"userId": oops' }),
      'unknown-version': userRegistered({ version: '9' }),
      'unknown-type': userRegistered({ type: 'user.teleported' }),
      'invalid-payload': userRegistered({ value: JSON.stringify({ userId: 'not-a-uuid', email: 'nope', displayName: '' }) }),
    };
    await platform.kafka.produce('platform.users', Object.values(poison));
    const valid = await registerUser(platform.api);

    await eventually(async () => {
      const welcome = await platform.api.get('/notifications', { token: valid.accessToken });
      expect(welcome.body.items.map((item: { type: string }) => item.type)).toEqual(['welcome']);
    }, 20_000);
    const letters = await eventually(async () => {
      const found = await deadLetters();
      expect(found).toHaveLength(4);
      return found;
    }, 20_000, 300);

    for (const [reason, message] of Object.entries(poison)) {
      const letter = letters.find((candidate) => candidate.headers['ce_id'] === message.headers.ce_id)!;
      expect(letter).toBeDefined();
      expect(letter.value).toBe(message.value);
      expect(letter.key).toBe(message.key);
      expect(letter.headers).toEqual(
        expect.objectContaining({
          dlq_reason: reason,
          dlq_error: expect.any(String),
          dlq_original_topic: 'platform.users',
          dlq_original_partition: expect.stringMatching(/^\d+$/),
          dlq_original_offset: expect.stringMatching(/^\d+$/),
          dlq_consumer_group: 'notification-service',
          ce_type: message.headers.ce_type,
        }),
      );
    }
    // order-service consumes the same topic and dead-letters them in its own DLQ.
    await eventually(async () => expect(await platform.kafka.readAll('platform.dlq.order-service')).toHaveLength(4), 20_000, 300);
  });

  it('dead-letters an event whose handler keeps failing, and the replay command brings it back once the cause is fixed', async () => {
    const eventId = randomUUID();
    const userId = randomUUID();
    // The cause: a notification already claims this event as its source (the unique index refuses a second).
    await platform.queryAs(
      'notification-service',
      `INSERT INTO notifications (id, user_id, type, title, body, source_event_id, created_at) VALUES ($1, $2, 'welcome', 'stale', 'stale', $3, now())`,
      [randomUUID(), randomUUID(), eventId],
    );
    await platform.kafka.produce('platform.users', [userRegistered({ id: eventId, userId })]);

    const letter = await eventually(async () => {
      const found = (await deadLetters()).find((candidate) => candidate.headers['ce_id'] === eventId);
      expect(found).toBeDefined();
      return found!;
    }, 20_000, 300);
    expect(letter.headers).toEqual(expect.objectContaining({ dlq_reason: 'handler-failed', dlq_attempts: '2', dlq_error: expect.stringContaining('duplicate key') }));
    expect(await platform.queryAs('notification-service', 'SELECT 1 FROM inbox WHERE event_id = $1', [eventId])).toEqual([]);

    // The fix, then the replay.
    await platform.queryAs('notification-service', 'DELETE FROM notifications WHERE source_event_id = $1', [eventId]);
    const output = platform.platform.replayDeadLetters('notification-service', ['--event-id', eventId]);
    expect(output).toContain('replayed 1 dead letter(s) of notification-service');

    await eventually(async () => {
      const rows = await platform.queryAs('notification-service', `SELECT user_id, type FROM notifications WHERE source_event_id = $1`, [eventId]);
      expect(rows).toEqual([{ user_id: userId, type: 'welcome' }]);
    }, 20_000, 300);
    // Replaying it again changes nothing: the inbox knows the event now.
    platform.platform.replayDeadLetters('notification-service', ['--event-id', eventId]);
    await eventually(async () => expect(await platform.kafka.lag('notification-service', ['platform.users'])).toBe(0n), 20_000, 300);
    expect(await platform.queryAs('notification-service', 'SELECT count(*)::int AS n FROM notifications WHERE user_id = $1', [userId])).toEqual([{ n: 1 }]);
  });
});
