import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { DataSource } from 'typeorm';
import { MessagingConfig } from '../config/messaging.config';
import { Periodic } from '../retry/periodic';
import { messagingTable } from '../schema/messaging-tables';

/** Deletes sent outbox rows older than OUTBOX_RETENTION_MS, a bounded batch every minute, while the relay runs. */
@Injectable()
export class OutboxCleanup extends Periodic {
  private readonly logger = new Logger(OutboxCleanup.name);

  constructor(dataSource: DataSource, config: MessagingConfig, @Inject(SERVICE) service: ServiceIdentity) {
    const table = messagingTable(service.schema as string, 'outbox');
    super(60_000, async () => {
      try {
        await dataSource.query(
          `DELETE FROM ${table} WHERE "id" IN (SELECT "id" FROM ${table} WHERE "sent_at" < now() - ($1 || ' milliseconds')::interval LIMIT 10000)`,
          [String(config.OUTBOX_RETENTION_MS)],
        );
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox cleanup failed');
      }
    });
  }
}
