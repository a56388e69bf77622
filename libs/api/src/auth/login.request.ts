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
  @ApiProperty({ description: 'The refresh token from the last login or refresh.' })
  @IsString()
  @MaxLength(200)
  refreshToken: string;
}
