import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch } from '@nestjs/common';
import { UpdateProfileRequest, UserProfileResponse } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { toUserProfile } from './user-profile';
import { UsersService } from './users.service';

@Controller('users/me')
export class UsersHttpController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async profile(@CurrentUser() caller: AuthenticatedUser): Promise<UserProfileResponse> {
    return toUserProfile(await this.users.get(caller.id));
  }

  @Patch()
  async update(@CurrentUser() caller: AuthenticatedUser, @Body() body: UpdateProfileRequest): Promise<UserProfileResponse> {
    return toUserProfile(await this.users.updateProfile(caller.id, body));
  }

  /** Erases the account and, through `user.deleted`, the user's data in every service. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  async erase(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.users.erase(caller.id);
  }
}
