import './tracing';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { NOTIFICATION_SERVICE_SETTINGS, NotificationServiceConfig } from './config/notification-service.config';
import { NOTIFICATION_SERVICE } from './service';

void bootstrapService({ service: NOTIFICATION_SERVICE, module: AppModule, config: NotificationServiceConfig, settings: NOTIFICATION_SERVICE_SETTINGS });
