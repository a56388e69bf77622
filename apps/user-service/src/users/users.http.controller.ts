import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UpdateProfileRequest, UserProfileResponse } from '@platform/api';
import { CurrentUser, type AuthenticatedUser } from '@platform/auth';
import { toUserProfile } from './user-profile';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class UsersHttpController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UserProfileResponse })
  async profile(@CurrentUser() caller: AuthenticatedUser): Promise<UserProfileResponse> {
    return toUserProfile(await this.users.get(caller.id));
  }

  @Patch()
  @ApiOkResponse({ type: UserProfileResponse })
  async update(@CurrentUser() caller: AuthenticatedUser, @Body() body: UpdateProfileRequest): Promise<UserProfileResponse> {
    return toUserProfile(await this.users.updateProfile(caller.id, body));
  }

  /** Erases the account and, through `user.deleted`, the user's data in every service. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The account is erased; other services erase their data within seconds.' })
  async erase(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.users.erase(caller.id);
  }
}
