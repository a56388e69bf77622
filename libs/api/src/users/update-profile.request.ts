import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { DISPLAY_NAME_LENGTH, PRINTABLE } from '../auth/register.request';

export class UpdateProfileRequest {
  @ApiProperty({ minLength: DISPLAY_NAME_LENGTH.min, maxLength: DISPLAY_NAME_LENGTH.max })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(DISPLAY_NAME_LENGTH.min, DISPLAY_NAME_LENGTH.max)
  @Matches(PRINTABLE, { message: 'displayName must not contain control characters' })
  displayName: string;
}
