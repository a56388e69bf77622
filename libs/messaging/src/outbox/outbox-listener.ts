import { Inject, Injectable } from '@nestjs/common';
import { DatabaseConfig, SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { PostgresListener } from '../listen/postgres-listener';
import { outboxChannel } from '../schema/messaging-tables';

/**
 * Listens on the schema's outbox channel (a trigger NOTIFYs on every insert) and calls back on each
 * notification, and whenever the connection is (re-)established (rows may have arrived meanwhile).
 */
@Injectable()
export class OutboxListener {
  private listener?: PostgresListener;

  constructor(
    @Inject(SERVICE) private readonly service: ServiceIdentity,
    private readonly database: DatabaseConfig,
  ) {}

  start(onNotify: () => void): void {
    this.listener = new PostgresListener({
      connectionString: this.database.DATABASE_URL,
      applicationName: `${this.service.name}-outbox-listener`,
      channel: outboxChannel(this.service.schema as string),
      onNotify: () => onNotify(),
      onListening: onNotify,
    });
    this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
  }
}
