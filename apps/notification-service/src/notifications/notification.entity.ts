import type { NotificationType } from '@platform/api';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'notifications' })
export class NotificationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('text')
  type: NotificationType;

  @Column('text')
  title: string;

  @Column('text')
  body: string;

  @Column('uuid', { name: 'order_id', nullable: true })
  orderId: string | null;

  /** The event this notification was made from: one event, at most one notification. */
  @Column('text', { name: 'source_event_id', unique: true })
  sourceEventId: string;

  @Column('timestamptz', { name: 'read_at', nullable: true })
  readAt: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  /** Its place in its user's stream, in commit order: numbered by the database on insert (migration 1765200000000). */
  @Column({ type: 'bigint', name: 'stream_seq', insert: false, update: false, nullable: true })
  streamSeq: string | null;
}
