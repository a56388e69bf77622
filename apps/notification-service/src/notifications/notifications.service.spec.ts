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
  const manager = { insert: jest.fn(), delete: jest.fn(async () => ({})), query: jest.fn(async () => []) };
  const recipients = {
    isErased: jest.fn(async () => erased),
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
    expect(manager.insert).toHaveBeenCalledWith(NotificationEntity, expect.objectContaining({ userId: 'u-1', sourceEventId: 'e-1', orderId: 'o-1', type: 'order-shipped', readAt: null }));
    expect(created.stored).toHaveBeenCalledWith(manager, expect.objectContaining({ userId: 'u-1', type: 'order-shipped' }));
  });

  it('stores and signals nothing for an erased user (asked of RecipientsService, the one place that knows)', async () => {
    erased = true;
    await expect(service.notify(manager as never, { userId: 'u-1', eventId: 'e-2' }, NotificationTemplates.orderCancelled('o-1'))).resolves.toBeUndefined();
    expect(recipients.isErased).toHaveBeenCalledWith(manager, 'u-1');
    expect(manager.insert).not.toHaveBeenCalled();
    expect(created.stored).not.toHaveBeenCalled();
  });

  it('welcomes a new user once their address is kept, and nobody whose registration arrives after their erasure', async () => {
    await service.welcome(manager as never, { userId: 'u-1', email: 'ada@example.com', displayName: 'Ada' }, 'e-3');
    expect(manager.insert).toHaveBeenCalledWith(NotificationEntity, expect.objectContaining({ type: 'welcome', title: 'Welcome, Ada!' }));
    manager.insert.mockClear();
    remembered = false;
    await service.welcome(manager as never, { userId: 'u-2', email: 'bob@example.com', displayName: 'Bob' }, 'e-4');
    expect(manager.insert).not.toHaveBeenCalled();
  });

  it("deletes every notification of a user, and their place in the stream, when RecipientsService erases them", async () => {
    await forgetNotifications(manager, 'u-1');
    expect(manager.delete).toHaveBeenCalledWith(NotificationEntity, { userId: 'u-1' });
    expect(manager.query).toHaveBeenCalledWith(expect.stringContaining('DELETE FROM "notifications"."stream_positions"'), ['u-1']);
  });
});
