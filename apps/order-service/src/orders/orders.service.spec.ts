import { Test } from '@nestjs/testing';
import { OrderCancelled, OrderConfirmed, OrderRejected } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DataSource } from 'typeorm';
import { CustomersService, type CustomerStanding } from '../customers/customers.service';
import { OrderEntity } from './order.entity';
import { OrdersService } from './orders.service';

const OWNER = '11111111-1111-4111-8111-111111111111';
const STRANGER = '22222222-2222-4222-8222-222222222222';

function anOrder(overrides: Partial<OrderEntity> = {}): OrderEntity {
  const now = new Date('2026-11-23T10:00:00Z');
  return Object.assign(new OrderEntity(), {
    id: '33333333-3333-4333-8333-333333333333',
    userId: OWNER,
    status: 'PENDING',
    currency: 'EUR',
    items: [{ sku: 'A', quantity: 2, unitPrice: 500 }],
    total: 1000,
    idempotencyKey: null,
    requestHash: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}

describe('OrdersService', () => {
  let service: OrdersService;
  let stored: OrderEntity | null;
  let standing: CustomerStanding;
  const outbox = { add: jest.fn() };
  const manager = {
    findOne: jest.fn(async () => stored),
    save: jest.fn(async (order: OrderEntity) => order),
    find: jest.fn(async () => (stored ? [stored] : [])),
  };
  const repository = { findOneBy: jest.fn(async (where: Partial<OrderEntity>) => (stored && stored.id === where.id && stored.userId === where.userId ? stored : null)) };

  beforeEach(async () => {
    stored = anOrder();
    standing = 'active';
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: Outbox, useValue: outbox },
        { provide: CustomersService, useValue: { standing: jest.fn(async () => standing) } },
        { provide: DataSource, useValue: { transaction: (work: (m: typeof manager) => unknown) => work(manager), getRepository: () => repository } },
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

  it('confirms a PENDING order of a known customer', async () => {
    await service.settle(manager as never, stored!.id);
    expect(stored!.status).toBe('CONFIRMED');
    expect(outbox.add).toHaveBeenCalledWith(manager, OrderConfirmed, expect.objectContaining({ orderId: stored!.id, total: 1000, currency: 'EUR' }));
  });

  it('leaves the order PENDING while the customer is not known yet', async () => {
    standing = 'unknown';
    await service.settle(manager as never, stored!.id);
    expect(stored!.status).toBe('PENDING');
    expect(outbox.add).not.toHaveBeenCalled();
  });

  it('rejects the order of an erased customer and forgets who placed it', async () => {
    standing = 'erased';
    await service.settle(manager as never, stored!.id);
    expect(stored).toMatchObject({ status: 'REJECTED', userId: null });
    expect(outbox.add).toHaveBeenCalledWith(manager, OrderRejected, expect.objectContaining({ userId: OWNER, reason: 'customer-deleted' }));
  });

  it('does nothing for an order that is no longer PENDING (a redelivered order.created)', async () => {
    stored = anOrder({ status: 'CANCELLED' });
    await service.settle(manager as never, stored.id);
    expect(stored.status).toBe('CANCELLED');
    expect(outbox.add).not.toHaveBeenCalled();
  });
});
