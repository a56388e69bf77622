import type { OrderResponse } from '@platform/api';
import type { OrderEntity } from './order.entity';

export function toOrderResponse(order: OrderEntity): OrderResponse {
  return {
    id: order.id,
    userId: order.userId as string,
    status: order.status,
    currency: order.currency,
    items: order.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
    total: order.total,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
