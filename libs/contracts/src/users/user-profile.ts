import { IsEmail, IsString, IsUUID, Length } from 'class-validator';

/** The profile fields user events carry. */
export class UserProfileV1 {
  @IsUUID()
  userId: string;

  @IsEmail()
  email: string;

  @IsString()
  @Length(1, 100)
  displayName: string;
}
