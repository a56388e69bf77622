import type { ServiceData } from '@platform/service-kit';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { UserEntity } from '../users/user.entity';
import { CreateUsers1763900000000 } from './migrations/1763900000000-create-users';

/** What user-service keeps in its `users` schema. */
export const USER_SERVICE_DATA: ServiceData = {
  entities: [UserEntity, RefreshTokenEntity],
  migrations: [CreateUsers1763900000000],
};
