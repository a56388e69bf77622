import { createServer, type Server } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the catcher received it: envelope and parsed message. */
export interface CaughtMail {
  messageId: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The message's content type: multipart/alternative for text + HTML. */
  contentType: string;
  receivedAt: string;
  /** The SMTP session (one per connection) the mail came in on. */
  sessionId: string;
}

export interface MailCatcherOptions {
  smtpPort: number;
  /** Serve a web page listing the mails (and `/mails.json`) on this port; none without it. */
  webPort?: number;
  host?: string;
}

/** Recipients whose local part starts with this are refused with a permanent 550 (to test bounces). */
export const BOUNCING_LOCAL_PART = 'bounce';

/**
 * A real SMTP server (the `smtp-server` package) that keeps every mail it accepts, parsed with
 * `mailparser`: the mail catcher of `./platform up` (with a small web page) and of the e2e suites
 * (which stop and start it to simulate an outage).
 */
export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  readonly options: MailCatcherOptions;
  /**
   * Keeps each mail, then waits this long before answering 250 (a slow relay): a sender that
   * crashes meanwhile does not know the mail arrived, as with a real server.
   */
  acceptDelayMs = 0;
  private smtp?: SMTPServer;
  private web?: Server;

  constructor(options: MailCatcherOptions) {
    this.options = options;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get smtpUrl(): string {
    return `smtp://${this.host}:${this.options.smtpPort}`;
  }

  get webUrl(): string | undefined {
    return this.options.webPort ? `http://${this.host === '0.0.0.0' ? 'localhost' : this.host}:${this.options.webPort}` : undefined;
  }

  get isRunning(): boolean {
    return this.smtp !== undefined;
  }

  /** Starts the SMTP server (again, after stopSmtp: same port, same mailbox) and the web page. */
  async start(): Promise<this> {
    if (!this.smtp) {
      const smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        closeTimeout: 1_000,
        onRcptTo: (address, _session, callback) => {
          if (address.address.toLowerCase().startsWith(BOUNCING_LOCAL_PART)) {
            const refused = Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 });
            callback(refused);
            return;
          }
          callback();
        },
        onData: (stream, session, callback) => {
          simpleParser(stream)
            .then((parsed) => {
              this.mails.push({
                messageId: parsed.messageId ?? '',
                to: session.envelope.rcptTo.map((recipient) => recipient.address),
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                contentType: String(parsed.headers.get('content-type') && (parsed.headers.get('content-type') as { value?: string }).value),
                receivedAt: new Date().toISOString(),
                sessionId: session.id,
              });
              setTimeout(callback, this.acceptDelayMs);
            })
            .catch((error: Error) => callback(error));
        },
      });
      await new Promise<void>((resolve, reject) => {
        smtp.once('error', reject);
        smtp.listen(this.options.smtpPort, this.host, () => {
          smtp.off('error', reject);
          resolve();
        });
      });
      this.smtp = smtp;
    }
    if (this.options.webPort && !this.web) {
      const web = createServer((request, response) => {
        if (request.url === '/mails.json') {
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.mails));
          return;
        }
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.page());
      });
      await new Promise<void>((resolve) => web.listen(this.options.webPort, this.host, resolve));
      this.web = web;
    }
    return this;
  }

  /** Stops accepting mail (an SMTP outage: connections are refused); the mailbox stays. */
  async stopSmtp(): Promise<void> {
    const smtp = this.smtp;
    this.smtp = undefined;
    if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.stopSmtp();
    const web = this.web;
    this.web = undefined;
    if (web) await new Promise<void>((resolve) => web.close(() => resolve()));
  }

  /** Mails to one address (envelope recipient), oldest first. */
  mailsTo(address: string): CaughtMail[] {
    return this.mails.filter((mail) => mail.to.some((recipient) => recipient.toLowerCase() === address.toLowerCase()));
  }

  private page(): string {
    const escape = (value: string) => value.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string);
    const rows = [...this.mails]
      .reverse()
      .map((mail) => `<tr><td>${escape(mail.receivedAt)}</td><td>${escape(mail.to.join(', '))}</td><td><details><summary>${escape(mail.subject)}</summary><pre>${escape(mail.text)}</pre></details></td></tr>`)
      .join('\n');
    return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Mail catcher</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}pre{white-space:pre-wrap}</style></head>
<body><h1>Mail catcher</h1><p>${this.mails.length} mail(s) received on ${escape(this.smtpUrl)}, newest first; this page reloads every 5 s. JSON: <a href="/mails.json">/mails.json</a></p>
<table><tr><th>received</th><th>to</th><th>subject</th></tr>
${rows}
</table></body></html>`;
  }
}
