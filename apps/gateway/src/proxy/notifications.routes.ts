import { Controller, Get, HttpCode, HttpStatus, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotificationPageResponse, NotificationPreferences, NotificationResponse, PAGE_LIMITS, UnreadCountResponse } from '@platform/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../docs/api-problems';
import { ProxyService } from './proxy.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsRoutes {
  constructor(private readonly proxy: ProxyService) {}

  @Get()
  @ApiOperation({ summary: 'List my notifications', description: 'Newest first, a page at a time. Carries an `ETag`.' })
  @ApiQuery({ name: 'unread', required: false, schema: { type: 'boolean', example: true }, description: 'true: only unread; false: only read; absent: all.' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.max, example: 20 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', example: 'eyJ0IjoiMjAyNC0wNi0wMVQxMjowMDowMC4wMDBaIn0' }, description: 'The `nextCursor` of the previous page.' })
  @ApiOkResponse({ type: NotificationPageResponse, description: 'A page of the caller’s notifications.' })
  @ApiProblems(400)
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of the caller’s notifications are unread (the badge)', operationId: 'countUnreadNotifications' })
  @ApiOkResponse({ type: UnreadCountResponse, description: 'The count; it drops when a notification is marked read.' })
  unreadCount(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Get('preferences')
  @ApiOperation({ summary: 'The caller’s notification preferences', operationId: 'getNotificationPreferences' })
  @ApiOkResponse({ type: NotificationPreferences, description: '`email` is true unless the caller turned email off.' })
  getPreferences(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Put('preferences')
  @ApiOperation({ summary: 'Turn email notifications on or off', description: 'In-app notifications are always kept; with `email: false` no mail is sent for new ones.', operationId: 'setNotificationPreferences' })
  @ApiBody({ type: NotificationPreferences, examples: { emailOff: { summary: 'No more emails', value: { email: false } }, emailOn: { summary: 'Emails again', value: { email: true } } } })
  @ApiOkResponse({ type: NotificationPreferences })
  @ApiProblems(400)
  setPreferences(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Mark a notification read' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The notification id.', example: '3f0c8a52-1a53-4a4e-9d8c-1c7a4f1f6a10' })
  @ApiOkResponse({ type: NotificationResponse, description: 'The notification with `readAt`.' })
  @ApiProblems(400, 404)
  markRead(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }
}
