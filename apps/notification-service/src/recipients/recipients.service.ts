import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { erasureHash } from './erasure';
import { ErasedRecipientEntity, RecipientEntity } from './recipient.entity';

export interface RecipientProfile {
  userId: string;
  email: string;
  displayName: string;
}

/** What a feature deletes of a user when the user is erased, in the erasing transaction. */
export type ErasureListener = (manager: EntityManager, userId: string) => Promise<void>;

/**
 * The service's copy of each user's address and name, kept from user events (no synchronous call),
 * and the one place that says whether a user was erased: every feature that keeps data about users
 * asks `isErased` before keeping more, and deletes its own on `onErased`.
 */
@Injectable()
export class RecipientsService {
  private readonly erasureListeners: ErasureListener[] = [];

  /** Registered at start-up by each feature that keeps data about users. */
  onErased(listener: ErasureListener): void {
    this.erasureListeners.push(listener);
  }

  isErased(manager: EntityManager, userId: string): Promise<boolean> {
    return manager.existsBy(ErasedRecipientEntity, { userIdHash: erasureHash(userId) });
  }

  /**
   * The same question inside another statement, for a write that must keep nothing about an erased
   * user without a round trip of its own: SQL true when the user whose `erasureKey` is in
   * `parameter` (e.g. `$9`) was not erased.
   */
  notErasedSql(parameter: string): string {
    return `NOT EXISTS (SELECT 1 FROM "notifications"."erased_recipients" WHERE "user_id_hash" = ${parameter})`;
  }

  erasureKey(userId: string): string {
    return erasureHash(userId);
  }

  /** Registered or updated: the events carry the full current profile, so the copy is overwritten. False (nothing kept) for an erased user. */
  async remember(manager: EntityManager, profile: RecipientProfile): Promise<boolean> {
    if (await this.isErased(manager, profile.userId)) return false;
    await manager.upsert(RecipientEntity, { ...profile, updatedAt: new Date() }, ['userId']);
    return true;
  }

  /** Erasure: every feature deletes what it keeps about the user, the copy goes, and only a hash of the id stays to stop late events. */
  async erase(manager: EntityManager, userId: string): Promise<void> {
    for (const forget of this.erasureListeners) await forget(manager, userId);
    await manager.delete(RecipientEntity, { userId });
    await manager.upsert(ErasedRecipientEntity, { userIdHash: erasureHash(userId), erasedAt: new Date() }, ['userIdHash']);
  }
}
