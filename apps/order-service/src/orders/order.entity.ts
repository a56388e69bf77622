import type { OrderStatus } from '@platform/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** bigint columns come back from pg as strings; totals stay far below 2^53, so numbers are safe. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

@Entity({ name: 'orders' })
export class OrderEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Null once the customer erased their account: the order stays for the books, anonymous. */
  @Column('uuid', { name: 'user_id', nullable: true })
  userId: string | null;

  @Column('text')
  status: OrderStatus;

  @Column('char', { length: 3 })
  currency: string;

  @Column('jsonb')
  items: OrderLine[];

  @Column('bigint', { transformer: bigintAsNumber })
  total: number;

  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey: string | null;

  @Column('text', { name: 'request_hash', nullable: true })
  requestHash: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
