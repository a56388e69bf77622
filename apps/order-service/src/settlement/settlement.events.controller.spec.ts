import { OrderCreated, createEvent } from '@platform/contracts';
import { EventContext } from '@platform/messaging';
import type { OrderSettlementService } from './order-settlement.service';
import { SettlementEventsController } from './settlement.events.controller';

describe('SettlementEventsController', () => {
  it("settles the order of an order.created in the event's transaction: the guarantee behind settling at once", async () => {
    const settlement = { settle: jest.fn(async () => undefined) };
    const controller = new SettlementEventsController(settlement as unknown as OrderSettlementService);
    const event = createEvent(OrderCreated, { orderId: '33333333-3333-4333-8333-333333333333', userId: '11111111-1111-4111-8111-111111111111', currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 100 }], total: 100, createdAt: new Date().toISOString() }, '/test');
    const manager = { transaction: 'the event transaction' };
    await controller.onOrderCreated(event, new EventContext([event, manager as never, { topic: 'platform.orders', partition: 0, offset: '0', consumerGroup: 'order-service' }]));
    expect(settlement.settle).toHaveBeenCalledWith(manager, '33333333-3333-4333-8333-333333333333');
  });
});
