import './tracing';
import { connectEventConsumer } from '@platform/messaging';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { NotificationServiceConfig } from './config/notification-service.config';

void bootstrapService({ name: 'notification-service', module: AppModule, config: NotificationServiceConfig, beforeListen: connectEventConsumer });
