import { OrderEntity } from './order.entity';

export const OWNER = '11111111-1111-4111-8111-111111111111';

/** An order as unit tests need it: PENDING, two lines, owned by OWNER. */
export function anOrder(overrides: Partial<OrderEntity> = {}): OrderEntity {
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
