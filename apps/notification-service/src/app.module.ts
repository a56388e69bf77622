import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@platform/auth';
import { KafkaReadinessCheck, MessagingModule, messagingOptionsFrom } from '@platform/messaging';
import { DatabaseReadinessCheck, ServiceKitModule } from '@platform/service-kit';
import { NotificationServiceConfig } from './config/notification-service.config';
import { NOTIFICATIONS_SCHEMA, notificationServiceDatabase } from './database/database.options';
import { NotificationsEventsController } from './notifications/notifications.events.controller';
import { NotificationsHttpController } from './notifications/notifications.http.controller';
import { NotificationsService } from './notifications/notifications.service';

@Module({
  imports: [
    ServiceKitModule.forRoot({ config: NotificationServiceConfig, readiness: [DatabaseReadinessCheck, KafkaReadinessCheck] }),
    TypeOrmModule.forRootAsync({
      useFactory: (config: NotificationServiceConfig) => notificationServiceDatabase(config.DATABASE_URL, config.DATABASE_POOL_MAX),
      inject: [NotificationServiceConfig],
    }),
    // notification-service only consumes; its outbox stays empty and its relay idle.
    MessagingModule.forRoot({
      useFactory: (config: NotificationServiceConfig) => messagingOptionsFrom(config, 'notification-service', NOTIFICATIONS_SCHEMA),
      inject: [NotificationServiceConfig],
    }),
    AuthModule.forRoot({
      useFactory: (config: NotificationServiceConfig) => ({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwksUrl: config.JWKS_URL }),
      inject: [NotificationServiceConfig],
    }),
  ],
  controllers: [NotificationsHttpController, NotificationsEventsController],
  providers: [NotificationsService],
})
export class AppModule {}
