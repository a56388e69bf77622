import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseConfig, SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { Client } from 'pg';
import { sleep } from '../retry/backoff';
import { outboxChannel } from '../schema/messaging-tables';

/**
 * Holds a LISTEN connection on the schema's outbox channel (a trigger NOTIFYs on every insert) and
 * calls back on each notification, reconnecting when the connection drops.
 */
@Injectable()
export class OutboxListener {
  private readonly logger = new Logger(OutboxListener.name);
  private running = false;
  private client?: Client;
  private loop?: Promise<void>;

  constructor(
    @Inject(SERVICE) private readonly service: ServiceIdentity,
    private readonly database: DatabaseConfig,
  ) {}

  start(onNotify: () => void): void {
    this.running = true;
    this.loop = this.listen(onNotify);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async listen(onNotify: () => void): Promise<void> {
    while (this.running) {
      const client = new Client({ connectionString: this.database.DATABASE_URL, application_name: `${this.service.name}-outbox-listener`, keepAlive: true });
      this.client = client;
      try {
        const ended = new Promise((resolve) => {
          client.once('end', resolve);
          client.once('error', resolve);
        });
        await client.connect();
        client.on('notification', onNotify);
        await client.query(`LISTEN "${outboxChannel(this.service.schema as string)}"`);
        onNotify(); // rows may have arrived while nobody listened
        await ended;
      } catch (error) {
        if (this.running) this.logger.warn({ err: error }, 'outbox LISTEN connection failed; polling until it is back');
      } finally {
        await client.end().catch(() => undefined);
      }
      if (this.running) await sleep(1_000);
    }
  }
}
