import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { EmailDeliveriesService } from './email-deliveries.service';
import { MailSender } from './mail-sender';
import { MailTransport } from './mail-transport';

/** Each notification also as an email over SMTP, at least once, unless the user turned email off. */
@Module({ imports: [NotificationsModule, PreferencesModule, RecipientsModule], providers: [EmailDeliveriesService, MailTransport, MailSender] })
export class EmailModule {}
