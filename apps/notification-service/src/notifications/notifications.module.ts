import { Module } from '@nestjs/common';
import { RecipientsModule } from '../recipients/recipients.module';
import { NotificationCreated } from './notification-created.signal';
import { OrdersEventsController } from './orders.events.controller';
import { NotificationsHttpController } from './notifications.http.controller';
import { NotificationsService } from './notifications.service';
import { UsersEventsController } from './users.events.controller';

/** Notifications made from events, the caller's list and unread count, and the NotificationCreated signal others follow. */
@Module({
  imports: [RecipientsModule],
  controllers: [NotificationsHttpController, OrdersEventsController, UsersEventsController],
  providers: [NotificationsService, NotificationCreated],
  exports: [NotificationCreated],
})
export class NotificationsModule {}
