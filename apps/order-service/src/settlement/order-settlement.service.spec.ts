import { Test } from '@nestjs/testing';
import { OrderConfirmed, OrderRejected } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { CustomersService, type CustomerStanding } from '../customers/customers.service';
import type { OrderEntity } from '../orders/order.entity';
import { anOrder, OWNER } from '../orders/order.fixtures';
import { OrdersService } from '../orders/orders.service';
import { OrderSettlementService } from './order-settlement.service';


describe('OrderSettlementService', () => {
  let service: OrderSettlementService;
  let stored: OrderEntity | null;
  let standing: CustomerStanding;
  const outbox = { add: jest.fn() };
  const manager = {
    findOne: jest.fn(async () => stored),
    update: jest.fn(async () => ({ affected: 1 })),
    find: jest.fn(async () => (stored ? [stored] : [])),
  };

  beforeEach(async () => {
    stored = anOrder();
    standing = 'active';
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrderSettlementService,
        { provide: OrdersService, useValue: {} },
        { provide: Outbox, useValue: outbox },
        { provide: CustomersService, useValue: { standing: jest.fn(async () => standing) } },
      ],
    }).compile();
    service = moduleRef.get(OrderSettlementService);
  });

  it('confirms a PENDING order of a known customer', async () => {
    await service.settle(manager as never, stored!.id);
    expect(stored!.status).toBe('CONFIRMED');
    expect(manager.update).toHaveBeenCalledWith(expect.anything(), { id: stored!.id }, expect.objectContaining({ status: 'CONFIRMED' }));
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
    expect(manager.update).toHaveBeenCalledWith(expect.anything(), { id: stored!.id }, expect.objectContaining({ status: 'REJECTED', userId: null }));
    expect(outbox.add).toHaveBeenCalledWith(manager, OrderRejected, expect.objectContaining({ userId: OWNER, reason: 'customer-deleted' }));
  });

  it('does nothing for an order that is no longer PENDING (a redelivered order.created)', async () => {
    stored = anOrder({ status: 'CANCELLED' });
    await service.settle(manager as never, stored.id);
    expect(stored.status).toBe('CANCELLED');
    expect(outbox.add).not.toHaveBeenCalled();
  });
});
