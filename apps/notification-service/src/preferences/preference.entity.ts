import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's delivery choices; no row means the defaults (email on). */
@Entity({ name: 'preferences' })
export class PreferenceEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @Column('boolean')
  email: boolean;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
