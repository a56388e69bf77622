import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

export const PASSWORD_LENGTH = { min: 8, max: 128 } as const;
export const DISPLAY_NAME_LENGTH = { min: 1, max: 100 } as const;

/** Printable text: no control characters (NUL, newlines, …). */
export const PRINTABLE = /^[^\p{Cc}\p{Cs}]*$/u;

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export class RegisterRequest {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @ApiProperty({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max, example: 'correct horse battery staple' })
  @IsString()
  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  @Matches(/^[^\0]*$/, { message: 'password must not contain NUL characters' })
  password: string;

  @ApiProperty({ minLength: DISPLAY_NAME_LENGTH.min, maxLength: DISPLAY_NAME_LENGTH.max, example: 'Ada Lovelace' })
  @trim()
  @IsString()
  @Length(DISPLAY_NAME_LENGTH.min, DISPLAY_NAME_LENGTH.max)
  @Matches(PRINTABLE, { message: 'displayName must not contain control characters' })
  displayName: string;
}
