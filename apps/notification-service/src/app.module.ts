import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { MessagingModule } from '@platform/messaging';
import { DatabaseModule } from '@platform/service-kit';
import { NOTIFICATION_SERVICE_DATA } from './database/database.options';
import { NotificationsEventsController } from './notifications/notifications.events.controller';
import { NotificationsHttpController } from './notifications/notifications.http.controller';
import { NotificationsService } from './notifications/notifications.service';

@Module({
  imports: [
    DatabaseModule.forRoot(NOTIFICATION_SERVICE_DATA),
    // It only consumes: no outbox relay runs here.
    MessagingModule.forRoot({ publish: false, consume: true }),
    AuthModule.forRoot(),
  ],
  controllers: [NotificationsHttpController, NotificationsEventsController],
  providers: [NotificationsService],
})
export class AppModule {}
