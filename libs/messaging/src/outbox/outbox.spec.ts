import { OrderConfirmed, OrderCreated } from '@platform/contracts';
import type { EntityManager } from 'typeorm';
import type { EventTimeline } from '../timeline/event-timeline';
import { Outbox, outboxEvent } from './outbox';

describe('Outbox', () => {
  const order = '33333333-3333-4333-8333-333333333333';
  const user = '11111111-1111-4111-8111-111111111111';
  const created = outboxEvent(OrderCreated, { orderId: order, userId: user, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPrice: 5 }], total: 5, createdAt: new Date().toISOString() });
  const confirmed = outboxEvent(OrderConfirmed, { orderId: order, userId: user, currency: 'EUR', total: 5, occurredAt: new Date().toISOString() });
  const timeline = { writtenIn: jest.fn() } as unknown as EventTimeline;
  const outbox = new Outbox({ name: 'order-service', schema: 'orders' }, timeline);

  it("writes several events in the caller's transaction with one statement, in order, keyed by aggregate", async () => {
    const manager = { queryRunner: { isTransactionActive: true }, query: jest.fn(async () => []) };
    const ids = await outbox.addAll(manager as unknown as EntityManager, [created, confirmed]);
    expect(manager.query).toHaveBeenCalledTimes(1);
    const [sql, params] = manager.query.mock.calls[0] as unknown as [string, unknown[]];
    expect(sql).toMatch(/^INSERT INTO "orders"\."outbox" .* VALUES \(\$1, \$2, \$3, \$4, \$5, \$6\), \(\$7, \$8, \$9, \$10, \$11, \$12\)$/s);
    expect([params[0], params[1], params[3], params[6], params[7], params[9]]).toEqual([ids[0], 'order.created', order, ids[1], 'order.confirmed', order]);
    expect(JSON.parse(params[4] as string)).toEqual(expect.objectContaining({ ce_type: 'order.created', ce_source: '/order-service', ce_id: ids[0] }));
  });

  it('refuses to write outside a transaction (the event would not commit with its state change)', async () => {
    const manager = { queryRunner: { isTransactionActive: false }, query: jest.fn() };
    await expect(outbox.add(manager as unknown as EntityManager, OrderConfirmed, confirmed.payload as never)).rejects.toThrow('open transaction');
    expect(manager.query).not.toHaveBeenCalled();
  });

  it('refuses a payload that breaks the contract before writing anything', async () => {
    const manager = { queryRunner: { isTransactionActive: true }, query: jest.fn() };
    await expect(outbox.addAll(manager as unknown as EntityManager, [outboxEvent(OrderConfirmed, { orderId: 'nope', userId: user, currency: 'EUR', total: 5, occurredAt: 'x' })])).rejects.toMatchObject({ reason: 'invalid-payload' });
    expect(manager.query).not.toHaveBeenCalled();
  });
});
