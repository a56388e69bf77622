import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { CreateOrderRequest, OrderPageResponse, OrderResponse, PAGE_LIMITS, PageQuery } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { UuidParam } from '@platform/service-kit';
import type { FastifyReply } from 'fastify';
import { IdempotencyKey } from './idempotency-key.decorator';
import { toOrderResponse } from './order.mapper';
import { OrdersService } from './orders.service';

/** The public orders API (documented once, at the gateway's routes). */
@Controller('orders')
export class OrdersHttpController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  async create(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: CreateOrderRequest,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const { order, created } = await this.orders.create(caller.id, body, idempotencyKey);
    if (!created) void reply.header('idempotent-replayed', 'true');
    void reply.header('location', `/api/v1/orders/${order.id}`);
    return toOrderResponse(order);
  }

  @Get()
  async list(@CurrentUser() caller: AuthenticatedUser, @Query() query: PageQuery): Promise<OrderPageResponse> {
    const page = await this.orders.list(caller.id, query.limit ?? PAGE_LIMITS.default, query.cursor);
    return { items: page.items.map(toOrderResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id') id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.get(caller.id, id));
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  async cancel(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id') id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.cancel(caller.id, id));
  }
}
