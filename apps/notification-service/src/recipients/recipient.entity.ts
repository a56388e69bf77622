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
