import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerEntity, ErasedCustomerEntity } from './customer.entity';

export type CustomerStanding = 'active' | 'erased' | 'unknown';

/** What the copy keeps of a user: that they exist (see CustomerEntity). */
export interface CustomerProfile {
  userId: string;
}

function erasureHash(userId: string): string {
  return createHash('sha256').update(`customer:${userId}`).digest('hex');
}

/** The customer copy: what order-service knows about users, from user events only. */
@Injectable()
export class CustomersService {
  /** Keeps the profile; false (and nothing kept) when the user was erased (a stale event). */
  async upsert(manager: EntityManager, profile: CustomerProfile): Promise<boolean> {
    if ((await this.standing(manager, profile.userId)) === 'erased') return false;
    await manager.upsert(CustomerEntity, { userId: profile.userId, updatedAt: new Date() }, ['userId']);
    return true;
  }

  async standing(manager: EntityManager, userId: string): Promise<CustomerStanding> {
    if (await manager.existsBy(CustomerEntity, { userId })) return 'active';
    if (await manager.existsBy(ErasedCustomerEntity, { userIdHash: erasureHash(userId) })) return 'erased';
    return 'unknown';
  }

  /**
   * The standing a new order is decided from, held until the order's transaction ends: a known
   * customer's row is locked FOR KEY SHARE (an erasure deletes it first, so it waits for the order
   * and then finds it); an unknown one is read again under the user's lock (`lockUser`), which
   * every user event takes, so `user.registered` either comes first or finds the order PENDING.
   */
  async standingForNewOrder(manager: EntityManager, userId: string): Promise<CustomerStanding> {
    if (await manager.findOne(CustomerEntity, { select: { userId: true }, where: { userId }, lock: { mode: 'for_key_share' } })) return 'active';
    await this.lockUser(manager, userId);
    return this.standing(manager, userId);
  }

  /** Serialises what the copy learns about one user with the orders decided from it, until the transaction ends. */
  async lockUser(manager: EntityManager, userId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`customer:${userId}`]);
  }

  /** Drops the copy (first: this waits for orders being decided from it) and remembers only that the (hashed) id was erased. */
  async erase(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(CustomerEntity, { userId });
    await manager.upsert(ErasedCustomerEntity, { userIdHash: erasureHash(userId), erasedAt: new Date() }, ['userIdHash']);
  }
}
