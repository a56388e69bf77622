import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { UserDeleted, UserRegistered, UserUpdated, type CloudEvent, type UserDeletedV1, type UserRegisteredV1, type UserUpdatedV1 } from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { UserEventsService } from './user-events.service';

/** The events order-service consumes: users coming, changing and going (its own order events it never consumes). */
@Controller()
export class UsersEventsController {
  constructor(private readonly users: UserEventsService) {}

  @OnEvent(UserRegistered)
  async onUserRegistered(@Payload() event: CloudEvent<UserRegisteredV1>, @Ctx() context: EventContext): Promise<void> {
    await this.users.known(context.manager, { userId: event.data.userId });
  }

  @OnEvent(UserUpdated)
  async onUserUpdated(@Payload() event: CloudEvent<UserUpdatedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.users.known(context.manager, { userId: event.data.userId });
  }

  @OnEvent(UserDeleted)
  async onUserDeleted(@Payload() event: CloudEvent<UserDeletedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.users.erased(context.manager, event.data.userId);
  }
}
