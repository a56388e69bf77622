import './tracing';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { UserServiceConfig } from './config/user-service.config';

void bootstrapService({ name: 'user-service', module: AppModule, config: UserServiceConfig });
