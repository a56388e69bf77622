import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped, type CloudEvent, type OrderConfirmedV1, type OrderStatusChangedV1 } from '@platform/contracts';
import { EventContext, OnEvent } from '@platform/messaging';
import { NotificationTemplates, type NotificationContent } from './notification-templates';
import { NotificationsService } from './notifications.service';

/** Turns order events into notifications. */
@Controller()
export class OrdersEventsController {
  constructor(private readonly notifications: NotificationsService) {}

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

  private async aboutOrder(event: CloudEvent<OrderStatusChangedV1>, context: EventContext, content: NotificationContent): Promise<void> {
    await this.notifications.notify(context.manager, { userId: event.data.userId, orderId: event.data.orderId, eventId: event.id }, content);
  }
}
