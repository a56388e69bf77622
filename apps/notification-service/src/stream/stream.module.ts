import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { NotificationStreams } from './notification-streams';
import { NotificationsStreamHttpController } from './notifications-stream.http.controller';

/** GET /notifications/stream: each new notification of the caller, live, as server-sent events. */
@Module({ imports: [NotificationsModule], controllers: [NotificationsStreamHttpController], providers: [NotificationStreams] })
export class StreamModule {}
