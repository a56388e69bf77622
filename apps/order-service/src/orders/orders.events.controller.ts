import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCreated, type CloudEvent, type OrderCreatedV1 } from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { OrdersService } from './orders.service';

@Controller()
export class OrdersEventsController {
  constructor(private readonly orders: OrdersService) {}

  /** A new order is confirmed (or rejected) from the customer copy. */
  @OnEvent(OrderCreated)
  async onOrderCreated(@Payload() event: CloudEvent<OrderCreatedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.orders.settle(context.manager, event.data.orderId);
  }
}
