import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { NotificationTemplates } from './notification-templates';
import { ErasedRecipientEntity, NotificationEntity } from './notification.entity';
import { NotificationsService } from './notifications.service';

describe('NotificationsService', () => {
  let service: NotificationsService;
  const erased = new Set<string>();
  const manager = {
    existsBy: jest.fn(async (_entity: unknown, where: { userIdHash: string }) => erased.has(where.userIdHash)),
    insert: jest.fn(),
    delete: jest.fn(),
    upsert: jest.fn(async (_entity: unknown, row: { userIdHash: string }) => erased.add(row.userIdHash)),
  };

  beforeEach(async () => {
    erased.clear();
    const moduleRef = await Test.createTestingModule({ providers: [NotificationsService, { provide: DataSource, useValue: {} }] }).compile();
    service = moduleRef.get(NotificationsService);
  });

  it('stores a notification with the event it came from', async () => {
    await service.notify(manager as never, { userId: 'u-1', eventId: 'e-1', orderId: 'o-1' }, NotificationTemplates.orderShipped('o-1'));
    expect(manager.insert).toHaveBeenCalledWith(NotificationEntity, expect.objectContaining({ userId: 'u-1', sourceEventId: 'e-1', orderId: 'o-1', type: 'order-shipped', readAt: null }));
  });

  it('erases every notification of a user and then ignores late events about them', async () => {
    await service.erase(manager as never, 'u-1');
    expect(manager.delete).toHaveBeenCalledWith(NotificationEntity, { userId: 'u-1' });
    expect(manager.upsert).toHaveBeenCalledWith(ErasedRecipientEntity, expect.not.objectContaining({ userId: 'u-1' }), ['userIdHash']);

    await service.notify(manager as never, { userId: 'u-1', eventId: 'e-2' }, NotificationTemplates.orderCancelled('o-1'));
    expect(manager.insert).not.toHaveBeenCalled();
  });
});
