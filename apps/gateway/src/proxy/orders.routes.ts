import { Controller, Get, HttpCode, HttpStatus, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CreateOrderRequest, OrderPageResponse, OrderResponse, PAGE_LIMITS, UpdateOrderStatusRequest } from '@platform/api';
import { ADMIN_ROLE, Roles } from '@platform/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from './proxy.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body return the same order; same key, other body: 422.' })
  @ApiBody({ type: CreateOrderRequest })
  @ApiCreatedResponse({ type: OrderResponse })
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }

  @Get()
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.max } })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: OrderPageResponse })
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponse })
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponse })
  cancel(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles(ADMIN_ROLE)
@Controller('admin/orders')
export class AdminOrdersRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Patch(':id/status')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: UpdateOrderStatusRequest })
  @ApiOkResponse({ type: OrderResponse })
  setStatus(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }
}
