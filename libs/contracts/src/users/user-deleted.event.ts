import { IsISO8601, IsUUID } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

export class UserDeletedV1 {
  @IsUUID()
  userId: string;

  @IsISO8601({ strict: true })
  deletedAt: string;
}

export const UserDeleted = defineEvent({
  type: 'user.deleted',
  version: 1,
  topic: Topics.Users,
  payload: UserDeletedV1,
  key: (p) => p.userId,
  producer: 'user-service',
  consumers: ['order-service', 'notification-service'],
  description: 'A user erased their account. Every consumer deletes the personal data it holds about the user.',
});
