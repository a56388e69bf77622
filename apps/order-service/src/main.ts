import './tracing';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { ORDER_SERVICE_SETTINGS, OrderServiceConfig } from './config/order-service.config';
import { ORDER_SERVICE } from './service';

void bootstrapService({ service: ORDER_SERVICE, module: AppModule, config: OrderServiceConfig, settings: ORDER_SERVICE_SETTINGS });
