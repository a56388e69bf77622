import { IsEmail, IsISO8601, IsString, IsUUID, Length } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class UserUpdatedV1 {
  @IsUUID()
  userId: string;

  @IsEmail()
  email: string;

  @IsString()
  @Length(1, 100)
  displayName: string;

  @IsISO8601({ strict: true })
  updatedAt: string;
}

export const UserUpdated = defineEvent({
  type: 'user.updated',
  version: 1,
  topic: Topics.Users,
  payload: UserUpdatedV1,
  key: (p) => p.userId,
  producer: 'user-service',
  consumers: ['order-service'],
  description: "A user's profile changed. Carries the full current profile, so consumers can overwrite their copy.",
});
