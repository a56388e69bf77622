import { ORDER_STATUSES, type OrderStatus } from '@platform/contracts';
import { DomainError } from '@platform/service-kit';
import { assertTransition, canTransition, orderTotal } from './order-rules';

const line = (quantity: number, unitPrice: number) => ({ sku: 'SKU-1', quantity, unitPrice });

describe('order totals and limits', () => {
  it('sums quantity × unit price in minor units', () => {
    expect(orderTotal([line(2, 1999), line(1, 250), line(3, 0)])).toBe(4248);
  });

  it('stays exact at the largest order the limits allow', () => {
    const items = Array.from({ length: 100 }, () => line(1000, 1_000_000_000));
    expect(orderTotal(items)).toBe(100_000_000_000_000);
    expect(Number.isSafeInteger(orderTotal(items))).toBe(true);
  });

  it.each([
    ['no items', []],
    ['101 items', Array.from({ length: 101 }, () => line(1, 1))],
    ['quantity 0', [line(0, 1)]],
    ['quantity 1001', [line(1001, 1)]],
    ['a fractional quantity', [line(1.5, 1)]],
    ['a negative price', [line(1, -1)]],
    ['a price above 1 000 000 000', [line(1, 1_000_000_001)]],
    ['a fractional price', [line(1, 9.99)]],
  ])('refuses %s', (_, items) => {
    expect(() => orderTotal(items)).toThrow(DomainError);
  });
});

describe('order status transitions', () => {
  const allowed: [OrderStatus, OrderStatus][] = [
    ['PENDING', 'CONFIRMED'],
    ['PENDING', 'CANCELLED'],
    ['PENDING', 'REJECTED'],
    ['CONFIRMED', 'SHIPPED'],
    ['CONFIRMED', 'CANCELLED'],
    ['SHIPPED', 'DELIVERED'],
  ];

  it('allows exactly the transitions of the life cycle', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: expected });
      }
    }
  });

  it.each(['SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as OrderStatus[])('refuses to cancel a %s order with a conflict', (status) => {
    try {
      assertTransition(status, 'CANCELLED');
      throw new Error('expected a conflict');
    } catch (error) {
      expect(error).toEqual(expect.objectContaining({ kind: 'conflict', code: 'ORDER.ILLEGAL_TRANSITION' }));
    }
  });
});
