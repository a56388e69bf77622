import { IsISO8601, IsIn, IsInt, IsUUID, Matches, Min } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { CURRENCY_PATTERN } from './order-limits';

/** Fields every order status event carries. */
export class OrderStatusChangedV1 {
  @IsUUID()
  orderId: string;

  @IsUUID()
  userId: string;

  @IsISO8601({ strict: true })
  occurredAt: string;
}

export class OrderConfirmedV1 extends OrderStatusChangedV1 {
  @Matches(CURRENCY_PATTERN)
  currency: string;

  @IsInt()
  @Min(0)
  total: number;
}

export const OrderRejectionReasons = ['customer-deleted'] as const;

export class OrderRejectedV1 extends OrderStatusChangedV1 {
  @IsIn(OrderRejectionReasons)
  reason: (typeof OrderRejectionReasons)[number];
}

export const OrderCancellationReasons = ['customer-request', 'customer-deleted'] as const;

export class OrderCancelledV1 extends OrderStatusChangedV1 {
  @IsIn(OrderCancellationReasons)
  reason: (typeof OrderCancellationReasons)[number];
}

export class OrderShippedV1 extends OrderStatusChangedV1 {}

export class OrderDeliveredV1 extends OrderStatusChangedV1 {}

const orderEvent = { topic: Topics.Orders, producer: 'order-service', version: 1 } as const;

export const OrderConfirmed = defineEvent({
  ...orderEvent,
  type: 'order.confirmed',
  payload: OrderConfirmedV1,
  key: (p) => p.orderId,
  consumers: ['notification-service'],
  description: 'Order-service found the customer and confirmed a PENDING order.',
});

export const OrderRejected = defineEvent({
  ...orderEvent,
  type: 'order.rejected',
  payload: OrderRejectedV1,
  key: (p) => p.orderId,
  consumers: ['notification-service'],
  description: 'A PENDING order was rejected, e.g. because its customer deleted the account.',
});

export const OrderCancelled = defineEvent({
  ...orderEvent,
  type: 'order.cancelled',
  payload: OrderCancelledV1,
  key: (p) => p.orderId,
  consumers: ['notification-service'],
  description: 'A PENDING or CONFIRMED order was cancelled by its owner or because the owner was erased.',
});

export const OrderShipped = defineEvent({
  ...orderEvent,
  type: 'order.shipped',
  payload: OrderShippedV1,
  key: (p) => p.orderId,
  consumers: ['notification-service'],
  description: 'An admin marked a CONFIRMED order as shipped.',
});

export const OrderDelivered = defineEvent({
  ...orderEvent,
  type: 'order.delivered',
  payload: OrderDeliveredV1,
  key: (p) => p.orderId,
  consumers: ['notification-service'],
  description: 'An admin marked a SHIPPED order as delivered.',
});
