import { Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotificationPageResponse, NotificationResponse, PAGE_LIMITS } from '@platform/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from './proxy.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Get()
  @ApiQuery({ name: 'unread', required: false, type: Boolean })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.max } })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: NotificationPageResponse })
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: NotificationResponse })
  markRead(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }
}
