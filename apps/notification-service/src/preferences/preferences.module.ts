import { Module } from '@nestjs/common';
import { RecipientsModule } from '../recipients/recipients.module';
import { PreferencesHttpController } from './preferences.http.controller';
import { PreferencesService } from './preferences.service';

/** GET|PUT /notifications/preferences, and what the mail side asks of them. */
@Module({ imports: [RecipientsModule], controllers: [PreferencesHttpController], providers: [PreferencesService], exports: [PreferencesService] })
export class PreferencesModule {}
