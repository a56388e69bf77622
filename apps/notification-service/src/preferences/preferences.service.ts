import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PreferenceEntity } from './preference.entity';

export interface Preferences {
  email: boolean;
}

const DEFAULTS: Preferences = { email: true };

/** A user's delivery choices (email on by default). */
@Injectable()
export class PreferencesService {
  constructor(private readonly dataSource: DataSource) {}

  async get(userId: string, manager: EntityManager = this.dataSource.manager): Promise<Preferences> {
    const row = await manager.findOneBy(PreferenceEntity, { userId });
    return row ? { email: row.email } : { ...DEFAULTS };
  }

  async set(userId: string, preferences: Preferences): Promise<Preferences> {
    await this.dataSource.getRepository(PreferenceEntity).upsert({ userId, email: preferences.email, updatedAt: new Date() }, ['userId']);
    return { email: preferences.email };
  }

  async forget(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(PreferenceEntity, { userId });
  }
}
