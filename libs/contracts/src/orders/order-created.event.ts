import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsISO8601, IsInt, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { OrderItemV1 } from './order-item';
import { CURRENCY_PATTERN, ORDER_LIMITS } from './order-limits';

export class OrderCreatedV1 {
  @IsUUID()
  orderId: string;

  @IsUUID()
  userId: string;

  @Matches(CURRENCY_PATTERN)
  currency: string;

  @ValidateNested({ each: true })
  @ArrayMinSize(ORDER_LIMITS.minItems)
  @ArrayMaxSize(ORDER_LIMITS.maxItems)
  @Type(() => OrderItemV1)
  items: OrderItemV1[];

  @IsInt()
  @Min(0)
  total: number;

  @IsISO8601({ strict: true })
  createdAt: string;
}

export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  topic: Topics.Orders,
  payload: OrderCreatedV1,
  key: (p) => p.orderId,
  producer: 'order-service',
  // Published for whoever needs new orders; order-service decides an order where it creates it and never consumes its own events.
  consumers: [],
  description: 'An order was placed. Order-service decided it in the same transaction: order.confirmed or order.rejected follows at once, or, while its copy had not heard of the user, when user.registered arrives.',
});
