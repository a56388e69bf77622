import { Controller, Get, Headers, Res } from '@nestjs/common';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { DomainError } from '@platform/service-kit';
import { isUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { NotificationStreams } from './notification-streams';

/** GET /notifications/stream: the caller's notifications as server-sent events (documented at the gateway's routes). */
@Controller('notifications/stream')
export class NotificationsStreamHttpController {
  constructor(private readonly streams: NotificationStreams) {}

  @Get()
  async stream(@CurrentUser() caller: AuthenticatedUser, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (lastEventId !== undefined && !isUUID(lastEventId)) {
      throw new DomainError('invalid', 'NOTIFICATION.INVALID_LAST_EVENT_ID', 'Last-Event-ID must be the id of a notification (a UUID).');
    }
    const { body, close } = await this.streams.openStream(caller.id, caller.expiresAt, lastEventId);
    reply.raw.once('close', close);
    return reply
      .status(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      .send(body);
  }
}
