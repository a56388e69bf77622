import './tracing';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { USER_SERVICE_SETTINGS, UserServiceConfig } from './config/user-service.config';
import { USER_SERVICE } from './service';

void bootstrapService({ service: USER_SERVICE, module: AppModule, config: UserServiceConfig, settings: USER_SERVICE_SETTINGS });
