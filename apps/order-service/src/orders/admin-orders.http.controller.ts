import { Body, Controller, Patch } from '@nestjs/common';
import { OrderResponse, UpdateOrderStatusRequest } from '@platform/api';
import { ADMIN_ROLE, Roles } from '@platform/auth';
import { UuidParam } from '@platform/service-kit';
import { toOrderResponse } from './order.mapper';
import { OrdersService } from './orders.service';

@Roles(ADMIN_ROLE)
@Controller('admin/orders')
export class AdminOrdersHttpController {
  constructor(private readonly orders: OrdersService) {}

  /** Fulfilment: CONFIRMED → SHIPPED → DELIVERED. */
  @Patch(':id/status')
  async setStatus(@UuidParam('id') id: string, @Body() body: UpdateOrderStatusRequest): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.setStatusAsAdmin(id, body.status));
  }
}
