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

@Module({
  imports: [
    DatabaseModule.forRoot(NOTIFICATION_SERVICE_DATA),
    // It only consumes: no outbox relay runs here.
    MessagingModule.forRoot({ publish: false, consume: true }),
    AuthModule.forRoot(),
  ],
  // Preferences first: `notifications/preferences` must not be read as `notifications/:id`.
  controllers: [PreferencesHttpController, NotificationsHttpController, NotificationsEventsController],
  providers: [NotificationsService, RecipientsService, PreferencesService, EmailDeliveriesService, MailTransport, MailSender],
})
export class AppModule {}
