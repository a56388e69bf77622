import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerEntity, ErasedCustomerEntity } from './customer.entity';

export type CustomerStanding = 'active' | 'erased' | 'unknown';

export interface CustomerProfile {
  userId: string;
  email: string;
  displayName: string;
}

function erasureHash(userId: string): string {
  return createHash('sha256').update(`customer:${userId}`).digest('hex');
}

/** The customer copy: what order-service knows about users, from user events only. */
@Injectable()
export class CustomersService {
  async upsert(manager: EntityManager, profile: CustomerProfile): Promise<void> {
    if ((await this.standing(manager, profile.userId)) === 'erased') return; // a stale event for an erased user
    await manager.upsert(CustomerEntity, { ...profile, updatedAt: new Date() }, ['userId']);
  }

  async standing(manager: EntityManager, userId: string): Promise<CustomerStanding> {
    if (await manager.existsBy(CustomerEntity, { userId })) return 'active';
    if (await manager.existsBy(ErasedCustomerEntity, { userIdHash: erasureHash(userId) })) return 'erased';
    return 'unknown';
  }

  /** Drops the copy and remembers only that the (hashed) id was erased. */
  async erase(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(CustomerEntity, { userId });
    await manager.upsert(ErasedCustomerEntity, { userIdHash: erasureHash(userId), erasedAt: new Date() }, ['userIdHash']);
  }
}
