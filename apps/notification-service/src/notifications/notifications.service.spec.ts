import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { RecipientsService } from '../recipients/recipients.service';
import { NotificationCreated } from './notification-created.signal';
import { NotificationTemplates } from './notification-templates';
import { NotificationEntity } from './notification.entity';
import { NotificationsService } from './notifications.service';

describe('NotificationsService', () => {
  let service: NotificationsService;
  let erased: boolean;
  let remembered: boolean;
  let forgetNotifications: (manager: unknown, userId: string) => Promise<void>;
  /** Postgres, as far as the one INSERT … WHERE NOT EXISTS (erased) goes: nothing is stored for an erased user. */
  const manager = { query: jest.fn(async (_sql: string, params: unknown[]) => (erased ? [] : [{ id: params?.[0] }])), delete: jest.fn(async () => ({})) };
  const stored = () => manager.query.mock.calls.map(([sql, params]) => ({ sql, params }));
  const recipients = {
    notErasedSql: jest.fn((parameter: string) => `NOT EXISTS (erased = ${parameter})`),
    erasureKey: jest.fn((userId: string) => `hash of ${userId}`),
    remember: jest.fn(async () => remembered),
    onErased: jest.fn((listener: typeof forgetNotifications) => (forgetNotifications = listener)),
  };
  const created = { stored: jest.fn() };

  beforeEach(async () => {
    jest.clearAllMocks();
    erased = false;
    remembered = true;
    const moduleRef = await Test.createTestingModule({
      providers: [NotificationsService, { provide: DataSource, useValue: {} }, { provide: RecipientsService, useValue: recipients }, { provide: NotificationCreated, useValue: created }],
    }).compile();
    service = moduleRef.get(NotificationsService);
  });

  it('stores a notification with the event it came from and signals it in the same transaction', async () => {
    await service.notify(manager as never, { userId: 'u-1', eventId: 'e-1', orderId: 'o-1' }, NotificationTemplates.orderShipped('o-1'));
    const [{ sql, params }] = stored();
    expect(sql).toMatch(/^INSERT INTO "notifications"\."notifications" .* WHERE NOT EXISTS \(erased = \$9\) RETURNING "id"$/s);
    expect(params).toEqual([expect.any(String), 'u-1', 'order-shipped', 'Your order is on its way', expect.any(String), 'o-1', 'e-1', expect.any(Date), 'hash of u-1']);
    expect(created.stored).toHaveBeenCalledWith(manager, expect.objectContaining({ userId: 'u-1', type: 'order-shipped', sourceEventId: 'e-1', readAt: null }));
  });

  it('stores and signals nothing for an erased user (the condition comes from RecipientsService, the one place that knows)', async () => {
    erased = true;
    await expect(service.notify(manager as never, { userId: 'u-1', eventId: 'e-2' }, NotificationTemplates.orderCancelled('o-1'))).resolves.toBeUndefined();
    expect(recipients.notErasedSql).toHaveBeenCalled();
    expect(created.stored).not.toHaveBeenCalled();
  });

  it('welcomes a new user once their address is kept, and nobody whose registration arrives after their erasure', async () => {
    await service.welcome(manager as never, { userId: 'u-1', email: 'ada@example.com', displayName: 'Ada' }, 'e-3');
    expect(stored().map(({ params }) => params.slice(1, 4))).toEqual([['u-1', 'welcome', 'Welcome, Ada!']]);
    manager.query.mockClear();
    remembered = false;
    await service.welcome(manager as never, { userId: 'u-2', email: 'bob@example.com', displayName: 'Bob' }, 'e-4');
    expect(manager.query).not.toHaveBeenCalled();
  });

  it("deletes every notification of a user, and their place in the stream, when RecipientsService erases them", async () => {
    await forgetNotifications(manager, 'u-1');
    expect(manager.delete).toHaveBeenCalledWith(NotificationEntity, { userId: 'u-1' });
    expect(manager.query).toHaveBeenCalledWith(expect.stringContaining('DELETE FROM "notifications"."stream_positions"'), ['u-1']);
  });
});
