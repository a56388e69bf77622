import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { UserDeleted, UserRegistered, UserUpdated, type CloudEvent, type UserDeletedV1, type UserRegisteredV1, type UserUpdatedV1 } from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { RecipientsService } from '../recipients/recipients.service';
import { NotificationsService } from './notifications.service';

/** Users coming (welcome), changing (a new address) and going (erasure in every feature). */
@Controller()
export class UsersEventsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly recipients: RecipientsService,
  ) {}

  @OnEvent(UserRegistered)
  async onUserRegistered(@Payload() event: CloudEvent<UserRegisteredV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    await this.notifications.welcome(context.manager, { userId, email, displayName }, event.id);
  }

  @OnEvent(UserUpdated)
  async onUserUpdated(@Payload() event: CloudEvent<UserUpdatedV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    await this.recipients.remember(context.manager, { userId, email, displayName });
  }

  @OnEvent(UserDeleted)
  async onUserDeleted(@Payload() event: CloudEvent<UserDeletedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.recipients.erase(context.manager, event.data.userId);
  }
}
