import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { MessagingModule } from '@platform/messaging';
import { DatabaseModule } from '@platform/service-kit';
import { NOTIFICATION_SERVICE_DATA } from './database/database.options';
import { EmailModule } from './email/email.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PreferencesModule } from './preferences/preferences.module';
import { RecipientsModule } from './recipients/recipients.module';
import { StreamModule } from './stream/stream.module';

@Module({
  imports: [
    DatabaseModule.forRoot(NOTIFICATION_SERVICE_DATA),
    // It only consumes: no outbox relay runs here.
    MessagingModule.forRoot({ publish: false, consume: true }),
    AuthModule.forRoot(),
    RecipientsModule,
    PreferencesModule,
    NotificationsModule,
    EmailModule,
    StreamModule,
  ],
})
export class AppModule {}
