import { Body, Controller, Get, Put } from '@nestjs/common';
import { NotificationPreferences } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { PreferencesService } from './preferences.service';

/** The caller's notification preferences (documented once, at the gateway's routes). */
@Controller('notifications/preferences')
export class PreferencesHttpController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get()
  get(@CurrentUser() caller: AuthenticatedUser): Promise<NotificationPreferences> {
    return this.preferences.get(caller.id);
  }

  @Put()
  set(@CurrentUser() caller: AuthenticatedUser, @Body() body: NotificationPreferences): Promise<NotificationPreferences> {
    return this.preferences.set(caller.id, { email: body.email });
  }
}
