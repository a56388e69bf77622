import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EmailDeliveryStatus = 'pending' | 'sent' | 'failed';

/** The email of one notification: written in the notification's transaction, sent by the MailSender. */
@Entity({ name: 'email_deliveries' })
export class EmailDeliveryEntity {
  @PrimaryColumn('uuid', { name: 'notification_id' })
  notificationId: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  /** The same Message-ID on every attempt, so a resend after a crash is recognisably the same mail. */
  @Column('text', { name: 'message_id' })
  messageId: string;

  @Column('text')
  status: EmailDeliveryStatus;

  @Column('integer')
  attempts: number;

  @Column('timestamptz', { name: 'next_attempt_at' })
  nextAttemptAt: Date;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt: Date | null;
}
