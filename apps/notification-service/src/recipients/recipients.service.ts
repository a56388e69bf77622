import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RecipientEntity } from './recipient.entity';

export interface RecipientProfile {
  userId: string;
  email: string;
  displayName: string;
}

/** The service's copy of each user's address and name, kept from user events (no synchronous call). */
@Injectable()
export class RecipientsService {
  /** Registered or updated: the events carry the full current profile, so the copy is overwritten. */
  async remember(manager: EntityManager, profile: RecipientProfile): Promise<void> {
    await manager.upsert(RecipientEntity, { ...profile, updatedAt: new Date() }, ['userId']);
  }

  async forget(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(RecipientEntity, { userId });
  }
}
