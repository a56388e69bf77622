import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateOrderRequest, OrderPageResponse, OrderResponse, PageQuery } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { UuidParam } from '@platform/service-kit';
import type { FastifyReply } from 'fastify';
import { IdempotencyKey } from './idempotency-key.decorator';
import { toOrderResponse } from './order.mapper';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersHttpController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeat a request safely: the same key and body return the same order.' })
  @ApiCreatedResponse({ type: OrderResponse })
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
  @ApiOkResponse({ type: OrderPageResponse })
  async list(@CurrentUser() caller: AuthenticatedUser, @Query() query: PageQuery): Promise<OrderPageResponse> {
    const page = await this.orders.list(caller.id, query.limit, query.cursor);
    return { items: page.items.map(toOrderResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderResponse })
  async get(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id') id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.get(caller.id, id));
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: OrderResponse })
  async cancel(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id') id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.cancel(caller.id, id));
  }
}
