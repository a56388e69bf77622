import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Order-service's own copy of a user, built from user events; never read from user-service. It
 * keeps what the decisions need, that the user exists, and no personal data (no email address, no
 * name: order-service never used them; 1.1.0 stopped writing them, 1.2.0 dropped the columns).
 */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}

/**
 * Erased users, remembered only as a SHA-256 of the id so a late order of theirs is rejected
 * rather than confirmed, without keeping the id itself.
 */
@Entity({ name: 'erased_customers' })
export class ErasedCustomerEntity {
  @PrimaryColumn('text', { name: 'user_id_hash' })
  userIdHash: string;

  @Column('timestamptz', { name: 'erased_at' })
  erasedAt: Date;
}
