import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@platform/auth';
import { KafkaReadinessCheck, MessagingModule, messagingOptionsFrom, OutboxReadinessCheck } from '@platform/messaging';
import { DatabaseReadinessCheck, ServiceKitModule } from '@platform/service-kit';
import { OrderServiceConfig } from './config/order-service.config';
import { CustomersEventsController } from './customers/customers.events.controller';
import { CustomersService } from './customers/customers.service';
import { ORDERS_SCHEMA, orderServiceDatabase } from './database/database.options';
import { AdminOrdersHttpController } from './orders/admin-orders.http.controller';
import { OrdersEventsController } from './orders/orders.events.controller';
import { OrdersHttpController } from './orders/orders.http.controller';
import { OrdersService } from './orders/orders.service';

@Module({
  imports: [
    ServiceKitModule.forRoot({ config: OrderServiceConfig, readiness: [DatabaseReadinessCheck, KafkaReadinessCheck, OutboxReadinessCheck] }),
    TypeOrmModule.forRootAsync({
      useFactory: (config: OrderServiceConfig) => orderServiceDatabase(config.DATABASE_URL, config.DATABASE_POOL_MAX),
      inject: [OrderServiceConfig],
    }),
    MessagingModule.forRoot({
      useFactory: (config: OrderServiceConfig) => messagingOptionsFrom(config, 'order-service', ORDERS_SCHEMA),
      inject: [OrderServiceConfig],
    }),
    AuthModule.forRoot({
      useFactory: (config: OrderServiceConfig) => ({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwksUrl: config.JWKS_URL }),
      inject: [OrderServiceConfig],
    }),
  ],
  controllers: [OrdersHttpController, AdminOrdersHttpController, OrdersEventsController, CustomersEventsController],
  providers: [OrdersService, CustomersService],
})
export class AppModule {}
