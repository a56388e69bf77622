import './tracing';
import { connectEventConsumer } from '@platform/messaging';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { OrderServiceConfig } from './config/order-service.config';

void bootstrapService({ name: 'order-service', module: AppModule, config: OrderServiceConfig, beforeListen: connectEventConsumer });
