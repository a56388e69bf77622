import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NotificationType } from '@platform/api';
import { backoffDelay, WakeableSleep } from '@platform/messaging';
import { counter, gauge } from '@platform/observability';
import { DataSource, type EntityManager } from 'typeorm';
import { NotificationServiceConfig } from '../config/notification-service.config';
import { NotificationCreated } from '../notifications/notification-created.signal';
import { renderEmail } from './email-templates';
import { MailTransport } from './mail-transport';
import { classifySmtpFailure } from './smtp-failure';

const sent = counter('notification_emails_sent_total', 'Notification emails the SMTP server accepted.', []);
const retried = counter('notification_emails_retried_total', 'Email attempts that failed for now (server unreachable, 4xx, no address yet) and were rescheduled.', []);
const failed = counter('notification_emails_failed_total', 'Email deliveries given up after a permanent (5xx) refusal.', []);

interface DueDelivery {
  notification_id: string;
  message_id: string;
  attempts: number;
  type: NotificationType;
  title: string;
  body: string;
  email: string | null;
  display_name: string | null;
}

const DELIVERIES = '"notifications"."email_deliveries"';

/**
 * How long the sender waits after hearing of a new notification before it looks: the mails of a
 * busy moment then share one transaction and one "sent" update instead of four statements each.
 */
const LINGER_MS = 50;

/**
 * Sends pending email deliveries, at least once each, always with the delivery's Message-ID.
 *
 * A batch is claimed with FOR UPDATE SKIP LOCKED (replicas share the work) and the lock is held
 * while its mails are sent: a crash before the commit leaves the rows pending (sent again, same
 * Message-ID), and an erasure waits for a send in flight instead of racing it — after the erasure
 * commits, nothing about the user is left to send. Unreachable server or 4xx: retried with
 * backoff; 5xx: failed with the reply as the reason.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailSender.name);
  private readonly sleeper = new WakeableSleep();
  private running = false;
  private loop?: Promise<void>;
  private lingering?: NodeJS.Timeout;

  constructor(
    private readonly config: NotificationServiceConfig,
    private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
    created: NotificationCreated,
  ) {
    // A notification committed (on any replica): its delivery is due now.
    created.onCommitted({ created: () => this.wakeSoon(), missed: () => this.sleeper.wake() });
    gauge('notification_emails_pending', 'Email deliveries waiting to be sent (due now or later).', [], async (metric) => {
      try {
        const [row] = await this.dataSource.query(`SELECT count(*)::int AS pending FROM ${DELIVERIES} WHERE "status" = 'pending'`);
        metric.set(row.pending);
      } catch {
        // the database is down; readiness says so, the last value stays
      }
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearTimeout(this.lingering);
    this.sleeper.wake();
    await this.loop;
  }

  private wakeSoon(): void {
    this.lingering ??= setTimeout(() => {
      this.lingering = undefined;
      this.sleeper.wake();
    }, LINGER_MS);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const { claimed, smtpDown } = await this.sendBatch();
        if (smtpDown) {
          await this.sleeper.sleep(backoffDelay(++failures, this.config.MAIL_RETRY_INITIAL_MS, this.config.MAIL_RETRY_MAX_MS));
          continue;
        }
        failures = 0;
        if (claimed < this.config.MAIL_BATCH_SIZE) await this.sleeper.sleep(this.config.MAIL_POLL_INTERVAL_MS);
      } catch (error) {
        const retryInMs = backoffDelay(++failures, 250, 5_000);
        this.logger.warn({ err: error, retryInMs }, 'mail sender could not reach its database; will retry');
        await this.sleeper.sleep(retryInMs);
      }
    }
  }

  /** Claims due deliveries and sends them one by one; stops the batch when the server is unreachable. */
  private sendBatch(): Promise<{ claimed: number; smtpDown: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const due: DueDelivery[] = await manager.query(
        `SELECT d."notification_id", d."message_id", d."attempts", n."type", n."title", n."body", r."email", r."display_name"
         FROM ${DELIVERIES} d
         JOIN "notifications"."notifications" n ON n."id" = d."notification_id"
         LEFT JOIN "notifications"."recipients" r ON r."user_id" = d."user_id"
         WHERE d."status" = 'pending' AND d."next_attempt_at" <= now()
         ORDER BY d."next_attempt_at" LIMIT $1 FOR UPDATE OF d SKIP LOCKED`,
        [this.config.MAIL_BATCH_SIZE],
      );
      const sentIds: string[] = [];
      let smtpDown = false;
      for (const delivery of due) {
        if (!this.running) break;
        const outcome = await this.deliver(manager, delivery);
        if (outcome === 'sent') sentIds.push(delivery.notification_id);
        if (outcome === 'smtp-down') {
          smtpDown = true;
          break;
        }
      }
      if (sentIds.length > 0) {
        await manager.query(`UPDATE ${DELIVERIES} SET "status" = 'sent', "attempts" = "attempts" + 1, "last_error" = NULL, "sent_at" = now() WHERE "notification_id" = ANY($1::uuid[])`, [sentIds]);
        sent.inc(sentIds.length);
      }
      return { claimed: due.length, smtpDown };
    });
  }

  private async deliver(manager: EntityManager, delivery: DueDelivery): Promise<'sent' | 'rescheduled' | 'failed' | 'smtp-down'> {
    const attempts = delivery.attempts + 1;
    if (!delivery.email || !delivery.display_name) {
      // An order event overtook user.registered (another topic): wait for the address.
      await this.reschedule(manager, delivery, attempts, 'no address for the user yet');
      return 'rescheduled';
    }
    const mail = renderEmail({ type: delivery.type, title: delivery.title, body: delivery.body }, delivery.display_name);
    try {
      await this.transport.send({ ...mail, to: delivery.email, messageId: delivery.message_id });
    } catch (error) {
      const failure = classifySmtpFailure(error);
      if (failure.kind === 'permanent') {
        await manager.query(`UPDATE ${DELIVERIES} SET "status" = 'failed', "attempts" = $2, "last_error" = $3 WHERE "notification_id" = $1`, [delivery.notification_id, attempts, failure.reason]);
        failed.inc();
        this.logger.warn({ notificationId: delivery.notification_id, reason: failure.reason }, 'email refused for good');
        return 'failed';
      }
      await this.reschedule(manager, delivery, attempts, failure.reason);
      this.logger.warn({ notificationId: delivery.notification_id, attempts, reason: failure.reason }, 'email not sent; will retry');
      return 'smtp-down';
    }
    return 'sent'; // marked with the rest of the batch, in its transaction
  }

  private async reschedule(manager: EntityManager, delivery: DueDelivery, attempts: number, reason: string): Promise<void> {
    const delayMs = backoffDelay(attempts, this.config.MAIL_RETRY_INITIAL_MS, this.config.MAIL_RETRY_MAX_MS);
    await manager.query(
      `UPDATE ${DELIVERIES} SET "attempts" = $2, "last_error" = $3, "next_attempt_at" = now() + $4 * interval '1 millisecond' WHERE "notification_id" = $1`,
      [delivery.notification_id, attempts, reason, delayMs],
    );
    retried.inc();
  }
}
