import { Test } from '@nestjs/testing';
import { OrderCancelled, OrderCreated } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DataSource } from 'typeorm';
import { anOrder, OWNER } from './order.fixtures';
import type { OrderEntity } from './order.entity';
import { OrdersService } from './orders.service';

const STRANGER = '22222222-2222-4222-8222-222222222222';

describe('OrdersService', () => {
  let service: OrdersService;
  let stored: OrderEntity | null;
  const outbox = { add: jest.fn() };
  const manager = {
    findOne: jest.fn(async () => stored),
    update: jest.fn(async () => ({ affected: 1 })),
    find: jest.fn(async () => (stored ? [stored] : [])),
    insert: jest.fn(async () => undefined),
  };
  const transaction = jest.fn(async (work: (m: typeof manager) => Promise<unknown>) => work(manager));
  const repository = { findOneBy: jest.fn(async (where: Partial<OrderEntity>) => (stored && stored.id === where.id && stored.userId === where.userId ? stored : null)) };

  beforeEach(async () => {
    jest.clearAllMocks();
    transaction.mockImplementation(async (work) => work(manager));
    stored = anOrder();
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: Outbox, useValue: outbox },
        { provide: DataSource, useValue: { transaction, getRepository: () => repository } },
      ],
    }).compile();
    service = moduleRef.get(OrdersService);
  });

  describe('ownership', () => {
    it("answers another user's order as not found", async () => {
      await expect(service.get(STRANGER, stored!.id)).rejects.toMatchObject({ kind: 'not-found', code: 'ORDER.NOT_FOUND' });
      await expect(service.get(OWNER, stored!.id)).resolves.toBe(stored);
    });

    it("refuses to cancel another user's order, as not found, and changes nothing", async () => {
      await expect(service.cancel(STRANGER, stored!.id)).rejects.toMatchObject({ kind: 'not-found' });
      expect(stored!.status).toBe('PENDING');
      expect(outbox.add).not.toHaveBeenCalled();
    });
  });

  it('cancels the owner’s order and records order.cancelled in the same transaction', async () => {
    const order = await service.cancel(OWNER, stored!.id);
    expect(order.status).toBe('CANCELLED');
    expect(outbox.add).toHaveBeenCalledWith(manager, OrderCancelled, expect.objectContaining({ orderId: order.id, userId: OWNER, reason: 'customer-request' }));
  });

  describe('a new order', () => {
    const request = { currency: 'EUR', items: [{ sku: 'A-1', quantity: 2, unitPrice: 500 }] };

    it('is told to the created-listeners once its transaction has committed, PENDING', async () => {
      const events: string[] = [];
      outbox.add.mockImplementationOnce(async () => events.push('order.created written'));
      transaction.mockImplementationOnce(async (work) => {
        const result = await work(manager);
        events.push('committed');
        return result;
      });
      service.onCreated((order) => events.push(`listener: ${order.status} ${order.total}`));
      const { order, created } = await service.create(OWNER, request);
      expect(created).toBe(true);
      expect(outbox.add).toHaveBeenCalledWith(manager, OrderCreated, expect.objectContaining({ orderId: order.id, total: 1000 }));
      expect(events).toEqual(['order.created written', 'committed', 'listener: PENDING 1000']);
    });

    it('is answered even if a listener throws (it is committed; its order.created does the rest)', async () => {
      service.onCreated(() => {
        throw new Error('listener bug');
      });
      await expect(service.create(OWNER, request)).resolves.toMatchObject({ created: true, order: { status: 'PENDING' } });
    });

    it('is not told again for an idempotent repeat, nor when its transaction fails', async () => {
      const first = await service.create(OWNER, request, 'key-1');
      const listener = jest.fn();
      service.onCreated(listener);
      repository.findOneBy.mockResolvedValueOnce(first.order);
      const repeat = await service.create(OWNER, request, 'key-1');
      expect(repeat.order).toBe(first.order);
      expect(repeat.created).toBe(false);
      manager.insert.mockRejectedValueOnce(new Error('connection terminated'));
      await expect(service.create(OWNER, request)).rejects.toThrow('connection terminated');
      expect(listener).not.toHaveBeenCalled();
    });
  });
});
