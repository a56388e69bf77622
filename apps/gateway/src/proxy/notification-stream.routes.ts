import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotificationStreamForwarder } from './notification-stream.forwarder';
import { ApiProblems } from '../docs/api-problems';

const EXAMPLE_STREAM = [
  ': connected',
  '',
  'id: 3f0b8c1e-5a4d-4f7e-9c2b-1d2e3f4a5b6c',
  'event: notification',
  'data: {"id":"3f0b8c1e-5a4d-4f7e-9c2b-1d2e3f4a5b6c","type":"order-shipped","title":"Your order is on its way","body":"Order 0f8b2e8e has been shipped.","orderId":"0f8b2e8e-425c-4f87-b4b4-a5d4d0833e1a","readAt":null,"createdAt":"2026-11-25T10:00:00.000Z"}',
  '',
  ': keep-alive',
  '',
].join('\n');

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications/stream')
export class NotificationStreamRoutes {
  constructor(private readonly forwarder: NotificationStreamForwarder) {}

  @Get()
  @ApiOperation({
    summary: "A live stream of the caller's new notifications (server-sent events)",
    description:
      'Each new notification of the caller arrives as `event: notification`, `id: <notification id>`, `data: <notification JSON>` within a second of its creation. ' +
      'Send `Last-Event-ID` (the last id received) to replay what came after it, then go live. A comment line comes at least every 15 s. ' +
      'The stream ends when the access token expires: reconnect with a fresh token and `Last-Event-ID`. ' +
      'Browsers: `EventSource` cannot send `Authorization`; read the stream with `fetch` (see docs/notifications-stream.md).',
    operationId: 'streamNotifications',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Id of the last notification received; what came after it is replayed first.', schema: { type: 'string', format: 'uuid', example: '3f0c8a52-1a53-4a4e-9d8c-1c7a4f1f6a10' } })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'The stream (stays open).', content: { 'text/event-stream': { schema: { type: 'string' }, example: EXAMPLE_STREAM } } })
  @ApiProblems(400)
  stream(@CurrentUser() caller: AuthenticatedUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forwarder.forward(caller.id, request, reply);
  }
}
