import { Controller, Get, HttpCode, HttpStatus, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CreateOrderRequest, OrderPageResponse, OrderResponse, PAGE_LIMITS, UpdateOrderStatusRequest } from '@platform/api';
import { ADMIN_ROLE, Roles } from '@platform/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../docs/api-problems';
import { ProxyService } from './proxy.service';

const ORDER_ID = { name: 'id', format: 'uuid', description: 'The order id.', example: '7d444840-9dc0-41bc-a2d1-1b2b5c9e8a1f' } as const;

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Post()
  @ApiOperation({ summary: 'Place an order', description: 'Decided when it is created: CONFIRMED, or REJECTED when the account was deleted; PENDING only while order-service has not yet heard of a just-registered account (decided as soon as it does). Money in minor units.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body return the same order; same key, other body: 422.', schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\x21-\x7e]+$' }, example: 'order-2024-06-01-0001' })
  @ApiBody({ type: CreateOrderRequest, examples: { books: { summary: 'Two books and a pen', value: { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1999 }, { sku: 'PEN-7', quantity: 1, unitPrice: 250 }] } } } })
  @ApiCreatedResponse({ type: OrderResponse, description: 'The order with its decision (or the one created earlier with the same Idempotency-Key and body).' })
  @ApiProblems(422)
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }

  @Get()
  @ApiOperation({ summary: 'List my orders', description: 'Newest first, a page at a time; pass `nextCursor` as `cursor` for the next page. Carries an `ETag`.' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.max, example: 20 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', example: 'eyJ0IjoiMjAyNC0wNi0wMVQxMjowMDowMC4wMDBaIn0' }, description: 'The `nextCursor` of the previous page.' })
  @ApiOkResponse({ type: OrderPageResponse, description: 'A page of the caller’s orders.' })
  @ApiProblems(400)
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one of my orders', description: 'Carries an `ETag`; `If-None-Match` answers 304.' })
  @ApiParam(ORDER_ID)
  @ApiOkResponse({ type: OrderResponse, description: 'The order.' })
  @ApiProblems(400, 404)
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel one of my orders', description: 'Only PENDING and CONFIRMED orders can be cancelled.' })
  @ApiParam(ORDER_ID)
  @ApiOkResponse({ type: OrderResponse, description: 'The order, CANCELLED.' })
  @ApiProblems(400, 404, 409)
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
  @ApiOperation({ summary: 'Move an order on (admin)', description: 'CONFIRMED → SHIPPED → DELIVERED. Needs the admin role.' })
  @ApiParam(ORDER_ID)
  @ApiBody({ type: UpdateOrderStatusRequest, examples: { ship: { summary: 'Ship a confirmed order', value: { status: 'SHIPPED' } } } })
  @ApiOkResponse({ type: OrderResponse, description: 'The order in its new status.' })
  @ApiProblems(403, 404, 409)
  setStatus(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('order-service', request, reply);
  }
}
