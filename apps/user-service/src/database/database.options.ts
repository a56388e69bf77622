import { postgresOptions } from '@platform/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { UserEntity } from '../users/user.entity';
import { CreateUsers1763900000000 } from './migrations/1763900000000-create-users';

/** The schema user-service owns; its role can reach no other. */
export const USERS_SCHEMA = 'users';

export function userServiceDatabase(url: string, poolMax?: number): DataSourceOptions {
  return postgresOptions({
    service: 'user-service',
    url,
    schema: USERS_SCHEMA,
    poolMax,
    entities: [UserEntity, RefreshTokenEntity],
    migrations: [CreateUsers1763900000000],
  });
}
