import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { gauge } from '@platform/observability';
import { SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { DataSource } from 'typeorm';
import { messagingTable } from '../schema/messaging-tables';

export interface OutboxBacklog {
  rows: number;
  /** Age of the oldest unsent row, 0 when none waits. */
  oldestAgeSeconds: number;
}

/** How far behind the relay is: for `/metrics` and the detailed health. */
@Injectable()
export class OutboxStats implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE) private readonly service: ServiceIdentity,
  ) {}

  onModuleInit(): void {
    const refresh = async (metric: { set(value: number): void }, pick: (backlog: OutboxBacklog) => number) => {
      try {
        metric.set(pick(await this.backlog()));
      } catch {
        // the database is down; readiness says so, the last value stays
      }
    };
    gauge('outbox_backlog_rows', 'Outbox rows not yet published to Kafka.', [], (metric) => refresh(metric, (backlog) => backlog.rows));
    gauge('outbox_oldest_unsent_age_seconds', 'Age of the oldest outbox row not yet published (0 when none waits).', [], (metric) =>
      refresh(metric, (backlog) => backlog.oldestAgeSeconds),
    );
  }

  async backlog(): Promise<OutboxBacklog> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS rows, COALESCE(EXTRACT(EPOCH FROM now() - min("created_at")), 0)::float AS age
       FROM ${messagingTable(this.service.schema as string, 'outbox')} WHERE "sent_at" IS NULL`,
    );
    return { rows: row.rows, oldestAgeSeconds: row.age };
  }
}
