import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { NotificationServiceConfig } from '../config/notification-service.config';
import type { EmailContent } from './email-templates';

export interface OutgoingMail extends EmailContent {
  to: string;
  messageId: string;
}

/**
 * The SMTP client (nodemailer) for SMTP_URL, every step bounded by SMTP_TIMEOUT_MS. One pooled
 * connection carries the mails one after another: a connection per mail could not keep pace with
 * the orders (docs/performance.md). A mail whose kept-open connection turns out closed goes once
 * more over a new one (`maxRequeues: 1`, same Message-ID); other failures are MailSender's to retry.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly transporter: Transporter;
  readonly from: string;
  /** The domain Message-IDs are minted in (MAIL_FROM's). */
  readonly messageIdDomain: string;

  constructor(config: NotificationServiceConfig) {
    this.from = config.MAIL_FROM;
    this.messageIdDomain = /@([^>\s]+)/.exec(config.MAIL_FROM)?.[1] ?? 'platform.local';
    const timeout = config.SMTP_TIMEOUT_MS;
    this.transporter = createTransport({
      url: config.SMTP_URL,
      pool: true,
      maxConnections: 1,
      maxMessages: 100,
      maxRequeues: 1,
      idleTimeout: 30_000,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    });
  }

  messageIdFor(notificationId: string): string {
    return `<${notificationId}@${this.messageIdDomain}>`;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
  }

  /** After every onModuleDestroy: MailSender's loop, which may be sending, has stopped by then. */
  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
