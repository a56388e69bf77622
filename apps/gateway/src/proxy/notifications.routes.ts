import { applyDecorators, Controller, Get, HttpCode, HttpStatus, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { NotificationPageResponse, NotificationPreferences, NotificationResponse, PAGE_LIMITS, UnreadCountResponse } from '@platform/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from './proxy.service';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (problem+json with `errors`).',
  401: 'Missing, invalid or expired access token.',
  404: 'No such notification of the caller.',
  429: 'Too many requests (or, for the stream, too many open streams); see `Retry-After`.',
  503: 'notification-service is unavailable.',
  504: 'notification-service did not answer in time.',
};

/** The problem+json answers an operation can give, each documented with its status. */
export function ProblemResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEM_DESCRIPTIONS[status], content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } } }),
    ),
  );
}

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

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of the caller’s notifications are unread (the badge)', operationId: 'countUnreadNotifications' })
  @ApiOkResponse({ type: UnreadCountResponse, description: 'The count; it drops when a notification is marked read.' })
  @ProblemResponses(401, 429, 503, 504)
  unreadCount(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Get('preferences')
  @ApiOperation({ summary: 'The caller’s notification preferences', operationId: 'getNotificationPreferences' })
  @ApiOkResponse({ type: NotificationPreferences, description: '`email` is true unless the caller turned email off.' })
  @ProblemResponses(401, 429, 503, 504)
  getPreferences(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.forward('notification-service', request, reply);
  }

  @Put('preferences')
  @ApiOperation({ summary: 'Turn email notifications on or off', description: 'In-app notifications are always kept; with `email: false` no mail is sent for new ones.', operationId: 'setNotificationPreferences' })
  @ApiBody({ type: NotificationPreferences, examples: { emailOff: { summary: 'No more emails', value: { email: false } }, emailOn: { summary: 'Emails again', value: { email: true } } } })
  @ApiOkResponse({ type: NotificationPreferences })
  @ProblemResponses(400, 401, 429, 503, 504)
  setPreferences(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
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
