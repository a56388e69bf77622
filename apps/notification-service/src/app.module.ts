import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { MessagingModule } from '@platform/messaging';
import { DatabaseModule } from '@platform/service-kit';
import { NOTIFICATION_SERVICE_DATA } from './database/database.options';
import { EmailDeliveriesService } from './email/email-deliveries.service';
import { MailSender } from './email/mail-sender';
import { MailTransport } from './email/mail-transport';
import { NotificationsEventsController } from './notifications/notifications.events.controller';
import { NotificationsHttpController } from './notifications/notifications.http.controller';
import { NotificationsService } from './notifications/notifications.service';
import { PreferencesHttpController } from './preferences/preferences.http.controller';
import { PreferencesService } from './preferences/preferences.service';
import { RecipientsService } from './recipients/recipients.service';
import { NotificationFanout } from './stream/notification-fanout';
import { NotificationStreams } from './stream/notification-streams';
import { NotificationsStreamHttpController } from './stream/notifications-stream.http.controller';

@Module({
  imports: [
    DatabaseModule.forRoot(NOTIFICATION_SERVICE_DATA),
    // It only consumes: no outbox relay runs here.
    MessagingModule.forRoot({ publish: false, consume: true }),
    AuthModule.forRoot(),
  ],
  controllers: [PreferencesHttpController, NotificationsStreamHttpController, NotificationsHttpController, NotificationsEventsController],
  providers: [NotificationsService, RecipientsService, PreferencesService, EmailDeliveriesService, MailTransport, MailSender, NotificationFanout, NotificationStreams],
})
export class AppModule {}
