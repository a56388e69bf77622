import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { EmailDeliveriesService } from '../email/email-deliveries.service';
import { PreferencesService } from '../preferences/preferences.service';
import { RecipientsService } from '../recipients/recipients.service';
import { NotificationTemplates } from './notification-templates';
import { ErasedRecipientEntity, NotificationEntity } from './notification.entity';
import { NotificationsService } from './notifications.service';

describe('NotificationsService', () => {
  let service: NotificationsService;
  const erased = new Set<string>();
  const emails = { enqueue: jest.fn(), forget: jest.fn() };
  const recipients = { forget: jest.fn() };
  const preferences = { forget: jest.fn() };
  const manager = {
    existsBy: jest.fn(async (_entity: unknown, where: { userIdHash: string }) => erased.has(where.userIdHash)),
    insert: jest.fn(),
    delete: jest.fn(),
    upsert: jest.fn(async (_entity: unknown, row: { userIdHash: string }) => erased.add(row.userIdHash)),
  };

  beforeEach(async () => {
    erased.clear();
    const moduleRef = await Test.createTestingModule({ providers: [
        NotificationsService,
        { provide: DataSource, useValue: {} },
        { provide: EmailDeliveriesService, useValue: emails },
        { provide: RecipientsService, useValue: recipients },
        { provide: PreferencesService, useValue: preferences },
      ] }).compile();
    service = moduleRef.get(NotificationsService);
  });

  it('stores a notification with the event it came from', async () => {
    await service.notify(manager as never, { userId: 'u-1', eventId: 'e-1', orderId: 'o-1' }, NotificationTemplates.orderShipped('o-1'));
    expect(manager.insert).toHaveBeenCalledWith(NotificationEntity, expect.objectContaining({ userId: 'u-1', sourceEventId: 'e-1', orderId: 'o-1', type: 'order-shipped', readAt: null }));
    expect(emails.enqueue).toHaveBeenCalledWith(manager, expect.objectContaining({ userId: 'u-1', type: 'order-shipped' }));
  });

  it('erases every notification of a user and then ignores late events about them', async () => {
    await service.erase(manager as never, 'u-1');
    expect(manager.delete).toHaveBeenCalledWith(NotificationEntity, { userId: 'u-1' });
    expect(emails.forget).toHaveBeenCalledWith(manager, 'u-1');
    expect(recipients.forget).toHaveBeenCalledWith(manager, 'u-1');
    expect(preferences.forget).toHaveBeenCalledWith(manager, 'u-1');
    expect(manager.upsert).toHaveBeenCalledWith(ErasedRecipientEntity, expect.not.objectContaining({ userId: 'u-1' }), ['userIdHash']);

    await service.notify(manager as never, { userId: 'u-1', eventId: 'e-2' }, NotificationTemplates.orderCancelled('o-1'));
    expect(manager.insert).not.toHaveBeenCalled();
    expect(emails.enqueue).not.toHaveBeenCalled();
  });
});
