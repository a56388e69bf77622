import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { UserDeleted, UserRegistered, UserUpdated, type CloudEvent, type UserDeletedV1, type UserRegisteredV1, type UserUpdatedV1 } from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { OrdersService } from '../orders/orders.service';
import { CustomersService } from './customers.service';

/** Keeps the customer copy in step with user-service, and settles orders that waited for it. */
@Controller()
export class CustomersEventsController {
  constructor(
    private readonly customers: CustomersService,
    private readonly orders: OrdersService,
  ) {}

  @OnEvent(UserRegistered)
  async onUserRegistered(@Payload() event: CloudEvent<UserRegisteredV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    await this.customers.upsert(context.manager, { userId, email, displayName });
    await this.orders.settlePendingOf(context.manager, userId);
  }

  @OnEvent(UserUpdated)
  async onUserUpdated(@Payload() event: CloudEvent<UserUpdatedV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    await this.customers.upsert(context.manager, { userId, email, displayName });
  }

  @OnEvent(UserDeleted)
  async onUserDeleted(@Payload() event: CloudEvent<UserDeletedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.orders.closeAllOf(context.manager, event.data.userId);
    await this.customers.erase(context.manager, event.data.userId);
  }
}
