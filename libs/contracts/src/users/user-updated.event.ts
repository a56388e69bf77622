import { IsISO8601 } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { UserProfileV1 } from './user-profile';

export class UserUpdatedV1 extends UserProfileV1 {
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
  consumers: ['order-service', 'notification-service'],
  description: "A user's profile changed. Carries the full current profile, so consumers can overwrite their copy (order-service's customers, notification-service's email recipients).",
});
