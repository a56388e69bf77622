import { Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ListNotificationsQuery, NotificationPageResponse, NotificationResponse } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { UuidParam } from '@platform/service-kit';
import { toNotificationResponse } from './notification.mapper';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsHttpController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({ type: NotificationPageResponse })
  async list(@CurrentUser() caller: AuthenticatedUser, @Query() query: ListNotificationsQuery): Promise<NotificationPageResponse> {
    const page = await this.notifications.list(caller.id, query);
    return { items: page.items.map(toNotificationResponse), nextCursor: page.nextCursor };
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: NotificationResponse })
  async markRead(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id') id: string): Promise<NotificationResponse> {
    return toNotificationResponse(await this.notifications.markRead(caller.id, id));
  }
}
