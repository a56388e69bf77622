import { Injectable } from '@nestjs/common';
import { UserDeleted, UserUpdated } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DomainError } from '@platform/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async get(userId: string): Promise<UserEntity> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user) throw UsersService.notFound();
    return user;
  }

  async updateProfile(userId: string, changes: { displayName: string }): Promise<UserEntity> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.lock(manager, userId);
      user.displayName = changes.displayName;
      user.updatedAt = new Date();
      await manager.save(user);
      await this.outbox.add(manager, UserUpdated, {
        userId: user.id,
        email: user.email,
        displayName: user.displayName,
        updatedAt: user.updatedAt.toISOString(),
      });
      return user;
    });
  }

  /**
   * Erases the account: the row, its refresh tokens (cascade) and the earlier events about it in the
   * outbox go; `user.deleted` tells the other services to erase their part.
   */
  async erase(userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const user = await this.lock(manager, userId);
      await manager.delete(UserEntity, { id: user.id });
      await this.outbox.eraseAggregate(manager, user.id);
      await this.outbox.add(manager, UserDeleted, { userId: user.id, deletedAt: new Date().toISOString() });
    });
  }

  private async lock(manager: EntityManager, userId: string): Promise<UserEntity> {
    const user = await manager.findOne(UserEntity, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw UsersService.notFound();
    return user;
  }

  /** The token is valid but its user is gone (erased): to the caller that is an unknown user. */
  private static notFound(): DomainError {
    return new DomainError('not-found', 'USER.NOT_FOUND', 'The user does not exist.');
  }
}
