import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { MessagingModule } from '@platform/messaging';
import { DatabaseModule } from '@platform/service-kit';
import { CustomersService } from './customers/customers.service';
import { ORDER_SERVICE_DATA } from './database/database.options';
import { AdminOrdersHttpController } from './orders/admin-orders.http.controller';
import { OrdersHttpController } from './orders/orders.http.controller';
import { OrdersService } from './orders/orders.service';
import { UserEventsService } from './user-events/user-events.service';
import { UsersEventsController } from './user-events/users.events.controller';

@Module({
  imports: [DatabaseModule.forRoot(ORDER_SERVICE_DATA), MessagingModule.forRoot({ publish: true, consume: true }), AuthModule.forRoot()],
  controllers: [OrdersHttpController, AdminOrdersHttpController, UsersEventsController],
  providers: [OrdersService, CustomersService, UserEventsService],
})
export class AppModule {}
