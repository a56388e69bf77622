import type { UserProfileResponse } from '@platform/api';
import type { UserEntity } from './user.entity';

export function toUserProfile(user: UserEntity): UserProfileResponse {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
