import { IsISO8601 } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { UserProfileV1 } from './user-profile';

export class UserRegisteredV1 extends UserProfileV1 {
  @IsISO8601({ strict: true })
  registeredAt: string;
}

export const UserRegistered = defineEvent({
  type: 'user.registered',
  version: 1,
  topic: Topics.Users,
  payload: UserRegisteredV1,
  key: (p) => p.userId,
  producer: 'user-service',
  consumers: ['order-service', 'notification-service'],
  description: 'A user account was created. Order-service adds the user to its customer copy; notification-service keeps the address for email and sends a welcome (in-app and by email).',
});
