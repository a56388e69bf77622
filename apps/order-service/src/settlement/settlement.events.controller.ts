import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  OrderCreated,
  UserDeleted,
  UserRegistered,
  UserUpdated,
  type CloudEvent,
  type OrderCreatedV1,
  type UserDeletedV1,
  type UserRegisteredV1,
  type UserUpdatedV1,
} from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { OrderSettlementService } from './order-settlement.service';

/** The events order-service reacts to: its own new orders, and users coming, changing and going. */
@Controller()
export class SettlementEventsController {
  constructor(private readonly settlement: OrderSettlementService) {}

  /** A new order is confirmed (or rejected) from the customer copy. */
  @OnEvent(OrderCreated)
  async onOrderCreated(@Payload() event: CloudEvent<OrderCreatedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.settlement.settle(context.manager, event.data.orderId);
  }

  @OnEvent(UserRegistered)
  async onUserRegistered(@Payload() event: CloudEvent<UserRegisteredV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    await this.settlement.customerKnown(context.manager, { userId, email, displayName });
  }

  @OnEvent(UserUpdated)
  async onUserUpdated(@Payload() event: CloudEvent<UserUpdatedV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    await this.settlement.customerChanged(context.manager, { userId, email, displayName });
  }

  @OnEvent(UserDeleted)
  async onUserDeleted(@Payload() event: CloudEvent<UserDeletedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.settlement.customerErased(context.manager, event.data.userId);
  }
}
