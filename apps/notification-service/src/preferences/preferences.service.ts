import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RecipientsService } from '../recipients/recipients.service';
import { PreferenceEntity } from './preference.entity';

export interface Preferences {
  email: boolean;
}

const DEFAULTS: Preferences = { email: true };

/** A user's delivery choices (email on by default). */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recipients: RecipientsService,
  ) {
    recipients.onErased((manager, userId) => this.forget(manager, userId));
  }

  /** SQL true when the user whose id is in `parameter` (e.g. `$2`) wants email: for a write that depends on it without a round trip of its own. */
  emailOnSql(parameter: string): string {
    return `COALESCE((SELECT "email" FROM "notifications"."preferences" WHERE "user_id" = ${parameter}), ${DEFAULTS.email})`;
  }

  async get(userId: string, manager: EntityManager = this.dataSource.manager): Promise<Preferences> {
    const row = await manager.findOneBy(PreferenceEntity, { userId });
    return row ? { email: row.email } : { ...DEFAULTS };
  }

  /** Stores the choice — unless the user was erased (a token outlives the account by minutes): nothing new is kept about them. */
  async set(userId: string, preferences: Preferences): Promise<Preferences> {
    await this.dataSource.transaction(async (manager) => {
      if (await this.recipients.isErased(manager, userId)) return;
      await manager.upsert(PreferenceEntity, { userId, email: preferences.email, updatedAt: new Date() }, ['userId']);
    });
    return { email: preferences.email };
  }

  private async forget(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(PreferenceEntity, { userId });
  }
}
