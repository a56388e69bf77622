import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderRejected,
  OrderShipped,
  UserDeleted,
  UserRegistered,
  UserUpdated,
  type CloudEvent,
  type OrderConfirmedV1,
  type OrderStatusChangedV1,
  type UserDeletedV1,
  type UserRegisteredV1,
  type UserUpdatedV1,
} from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { RecipientsService } from '../recipients/recipients.service';
import { NotificationTemplates, type NotificationContent } from './notification-templates';
import { NotificationsService } from './notifications.service';

/** Turns user and order events into notifications (and their emails), keeps each user's address, erases it all with the user. */
@Controller()
export class NotificationsEventsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly recipients: RecipientsService,
  ) {}

  @OnEvent(UserRegistered)
  async onUserRegistered(@Payload() event: CloudEvent<UserRegisteredV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    if (await this.notifications.isErased(context.manager, userId)) return;
    await this.recipients.remember(context.manager, { userId, email, displayName });
    await this.notifications.notify(context.manager, { userId: event.data.userId, eventId: event.id }, NotificationTemplates.welcome(event.data.displayName));
  }

  @OnEvent(UserUpdated)
  async onUserUpdated(@Payload() event: CloudEvent<UserUpdatedV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, email, displayName } = event.data;
    if (await this.notifications.isErased(context.manager, userId)) return;
    await this.recipients.remember(context.manager, { userId, email, displayName });
  }

  @OnEvent(OrderConfirmed)
  async onOrderConfirmed(@Payload() event: CloudEvent<OrderConfirmedV1>, @Ctx() context: EventContext): Promise<void> {
    const { orderId, total, currency } = event.data;
    await this.aboutOrder(event, context, NotificationTemplates.orderConfirmed(orderId, total, currency));
  }

  @OnEvent(OrderRejected)
  async onOrderRejected(@Payload() event: CloudEvent<OrderStatusChangedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.aboutOrder(event, context, NotificationTemplates.orderRejected(event.data.orderId));
  }

  @OnEvent(OrderCancelled)
  async onOrderCancelled(@Payload() event: CloudEvent<OrderStatusChangedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.aboutOrder(event, context, NotificationTemplates.orderCancelled(event.data.orderId));
  }

  @OnEvent(OrderShipped)
  async onOrderShipped(@Payload() event: CloudEvent<OrderStatusChangedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.aboutOrder(event, context, NotificationTemplates.orderShipped(event.data.orderId));
  }

  @OnEvent(OrderDelivered)
  async onOrderDelivered(@Payload() event: CloudEvent<OrderStatusChangedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.aboutOrder(event, context, NotificationTemplates.orderDelivered(event.data.orderId));
  }

  @OnEvent(UserDeleted)
  async onUserDeleted(@Payload() event: CloudEvent<UserDeletedV1>, @Ctx() context: EventContext): Promise<void> {
    await this.notifications.erase(context.manager, event.data.userId);
  }

  private async aboutOrder(event: CloudEvent<OrderStatusChangedV1>, context: EventContext, content: NotificationContent): Promise<void> {
    await this.notifications.notify(context.manager, { userId: event.data.userId, orderId: event.data.orderId, eventId: event.id }, content);
  }
}
