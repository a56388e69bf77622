import { createEvent, UserRegistered } from '@platform/contracts';
import type { EntityManager } from 'typeorm';
import { Inbox } from './inbox';

describe('Inbox', () => {
  const event = createEvent(UserRegistered, { userId: '11111111-1111-4111-8111-111111111111', email: 'ada@example.com', displayName: 'Ada', registeredAt: new Date().toISOString() }, '/user-service');
  const origin = { topic: 'platform.users', partition: 2, offset: '41', consumerGroup: 'order-service' };

  it("records an event id for the group in the caller's transaction, in the service's own schema", async () => {
    const manager = { query: jest.fn(async () => [{ event_id: event.id }]) };
    await expect(new Inbox('orders').record(manager as unknown as EntityManager, event, origin)).resolves.toBe(true);
    expect(manager.query).toHaveBeenCalledWith(expect.stringMatching(/^INSERT INTO "orders"\."inbox" .* ON CONFLICT DO NOTHING RETURNING "event_id"$/s), ['order-service', event.id, 'user.registered', 'platform.users', 2, '41']);
  });

  it('answers false for an event the group has handled before (the insert conflicts): the handler must not run', async () => {
    const manager = { query: jest.fn(async () => []) };
    await expect(new Inbox('orders').record(manager as unknown as EntityManager, event, origin)).resolves.toBe(false);
  });

  it('forgets events handled longer ago than the retention', async () => {
    const manager = { query: jest.fn(async () => []) };
    await new Inbox('notifications').forgetOlderThan(manager as unknown as EntityManager, 3_600_000);
    expect(manager.query).toHaveBeenCalledWith(expect.stringContaining('DELETE FROM "notifications"."inbox" WHERE "handled_at" < now()'), ['3600000']);
  });
});
