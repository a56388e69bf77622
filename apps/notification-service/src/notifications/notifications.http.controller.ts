import { Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ListNotificationsQuery, NotificationPageResponse, NotificationResponse, UnreadCountResponse } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { UuidParam } from '@platform/service-kit';
import { toNotificationResponse } from './notification.mapper';
import { NotificationsService } from './notifications.service';

/** The caller's notifications (documented once, at the gateway's routes). */
@Controller('notifications')
export class NotificationsHttpController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  async list(@CurrentUser() caller: AuthenticatedUser, @Query() query: ListNotificationsQuery): Promise<NotificationPageResponse> {
    const page = await this.notifications.list(caller.id, query);
    return { items: page.items.map(toNotificationResponse), nextCursor: page.nextCursor };
  }

  @Get('unread-count')
  async unreadCount(@CurrentUser() caller: AuthenticatedUser): Promise<UnreadCountResponse> {
    return { count: await this.notifications.unreadCount(caller.id) };
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  async markRead(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id') id: string): Promise<NotificationResponse> {
    return toNotificationResponse(await this.notifications.markRead(caller.id, id));
  }
}
