import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { LoginRequest, RefreshTokenRequest, RegisterRequest, TokenPairResponse, UserProfileResponse } from '@platform/api';
import { Public } from '@platform/service-kit';
import { toUserProfile } from '../users/user-profile';
import { AuthService } from './auth.service';

@Public()
@Controller('auth')
export class AuthHttpController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  async register(@Body() body: RegisterRequest): Promise<UserProfileResponse> {
    return toUserProfile(await this.auth.register(body));
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  login(@Body() body: LoginRequest): Promise<TokenPairResponse> {
    return this.auth.login(body);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  refresh(@Body() body: RefreshTokenRequest): Promise<TokenPairResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@Body() body: RefreshTokenRequest): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }
}
