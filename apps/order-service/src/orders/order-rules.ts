import { ORDER_LIMITS, type OrderStatus } from '@platform/contracts';
import { DomainError } from '@platform/service-kit';
import type { OrderEntity, OrderLine } from './order.entity';

/**
 * The order life cycle:
 *   PENDING → CONFIRMED → SHIPPED → DELIVERED
 *   PENDING | CONFIRMED → CANCELLED
 *   PENDING → REJECTED
 */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'CANCELLED', 'REJECTED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
  REJECTED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws a conflict (409) when the order cannot move from `from` to `to`. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new DomainError('conflict', 'ORDER.ILLEGAL_TRANSITION', `An order that is ${from} cannot become ${to}.`);
  }
}

/** Moves an order to a new status (or throws 409) and returns the time of the move as ISO text. */
export function applyTransition(order: OrderEntity, to: OrderStatus): string {
  assertTransition(order.status, to);
  order.status = to;
  order.updatedAt = new Date();
  return order.updatedAt.toISOString();
}

/** Σ quantity × unitPrice in minor units, after checking every limit of an order. */
export function orderTotal(items: readonly OrderLine[]): number {
  if (items.length < ORDER_LIMITS.minItems || items.length > ORDER_LIMITS.maxItems) {
    throw new DomainError('invalid', 'ORDER.ITEM_COUNT', `An order has ${ORDER_LIMITS.minItems} to ${ORDER_LIMITS.maxItems} items.`);
  }
  return items.reduce((sum, item) => {
    if (!Number.isInteger(item.quantity) || item.quantity < ORDER_LIMITS.minQuantity || item.quantity > ORDER_LIMITS.maxQuantity) {
      throw new DomainError('invalid', 'ORDER.QUANTITY', `Quantity must be an integer from ${ORDER_LIMITS.minQuantity} to ${ORDER_LIMITS.maxQuantity}.`);
    }
    if (!Number.isInteger(item.unitPrice) || item.unitPrice < ORDER_LIMITS.minUnitPrice || item.unitPrice > ORDER_LIMITS.maxUnitPrice) {
      throw new DomainError('invalid', 'ORDER.UNIT_PRICE', `Unit price must be an integer from ${ORDER_LIMITS.minUnitPrice} to ${ORDER_LIMITS.maxUnitPrice} minor units.`);
    }
    return sum + item.quantity * item.unitPrice;
  }, 0);
}

/** Statuses an order can still be cancelled from (by its owner or by erasure). */
export const OPEN_STATUSES: readonly OrderStatus[] = ['PENDING', 'CONFIRMED'];
