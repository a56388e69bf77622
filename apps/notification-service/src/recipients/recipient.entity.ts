import { Column, Entity, PrimaryColumn } from 'typeorm';

/** notification-service's own copy of a user's address, built from user events; erased with the user. */
@Entity({ name: 'recipients' })
export class RecipientEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @Column('text')
  email: string;

  @Column('text', { name: 'display_name' })
  displayName: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}

/** Erased users, as a SHA-256 of the id: late events about them create nothing. */
@Entity({ name: 'erased_recipients' })
export class ErasedRecipientEntity {
  @PrimaryColumn('text', { name: 'user_id_hash' })
  userIdHash: string;

  @Column('timestamptz', { name: 'erased_at' })
  erasedAt: Date;
}
