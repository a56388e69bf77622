import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { PASSWORD_LENGTH } from './register.request';

export class LoginRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @Length(1, 254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, PASSWORD_LENGTH.max)
  password: string;
}

export class RefreshTokenRequest {
  @ApiProperty({ description: 'The refresh token from the last login or refresh. Any other token (an access token) is a 401.', example: 'rt_3q2-7wYxJ8lQpZk0cV1mN4bR6tU9eA5sD2fG7hJ0kL1', maxLength: 4096 })
  @IsString()
  // Long enough for any token a client could confuse it with: those get 401, not 400.
  @MaxLength(4096)
  refreshToken: string;
}
