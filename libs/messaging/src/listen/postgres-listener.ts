import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { sleep } from '../retry/backoff';

export interface PostgresListenerOptions {
  connectionString: string;
  /** `application_name` of the connection (shows in pg_stat_activity). */
  applicationName: string;
  channel: string;
  /** Each NOTIFY on the channel, with its payload. */
  onNotify(payload: string): void;
  /** The connection is (re-)established: whatever was notified while nobody listened is lost, look for yourself. */
  onListening?(): void;
}

/**
 * Holds one LISTEN connection on a Postgres channel and calls back on each notification,
 * reconnecting (every second) when the connection drops. The outbox relay wakes through it;
 * notification-service fans new notifications out to its streams through it.
 */
export class PostgresListener {
  private readonly logger = new Logger(PostgresListener.name);
  private running = false;
  private client?: Client;
  private loop?: Promise<void>;

  constructor(private readonly options: PostgresListenerOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.listen();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async listen(): Promise<void> {
    const { connectionString, applicationName, channel } = this.options;
    while (this.running) {
      const client = new Client({ connectionString, application_name: applicationName, keepAlive: true });
      this.client = client;
      try {
        const ended = new Promise((resolve) => {
          client.once('end', resolve);
          client.once('error', resolve);
        });
        await client.connect();
        client.on('notification', (message) => this.options.onNotify(message.payload ?? ''));
        await client.query(`LISTEN "${channel}"`);
        this.options.onListening?.();
        await ended;
      } catch (error) {
        if (this.running) this.logger.warn({ err: error, channel }, 'LISTEN connection failed; retrying');
      } finally {
        await client.end().catch(() => undefined);
      }
      if (this.running) await sleep(1_000);
    }
  }
}
