import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseConfig, SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { Pool } from 'pg';

/** Runs one statement of the relay's transaction; the rows it returned. */
export type RelayQuery = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * The relay's own database connection, not one of the API's pool: a relay that queues behind the
 * requests for a pooled connection falls behind exactly when writes are busiest (0.7–1.3 s
 * between passes at 50 orders/s, docs/performance.md). Its commits do not wait for the WAL flush
 * (synchronous_commit off): a "sent" mark lost in a crash only sends its rows again, which the
 * consumers' inboxes absorb; the events themselves were committed by their writers.
 */
@Injectable()
export class RelayConnection {
  private readonly logger = new Logger(RelayConnection.name);
  private pool?: Pool;

  constructor(
    @Inject(SERVICE) private readonly service: ServiceIdentity,
    private readonly database: DatabaseConfig,
  ) {}

  /** `work` in a transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (query: RelayQuery) => Promise<T>): Promise<T> {
    const client = await this.connect().connect();
    let broken: Error | undefined;
    // A connection that drops while checked out emits 'error' (unheard, it would end the process);
    // the statement under way fails too, and the connection is not given back to the pool.
    const dropped = (error: Error) => (broken = error);
    client.on('error', dropped);
    try {
      await client.query('BEGIN');
      const result = await work(async (sql, params) => (await client.query(sql, params)).rows);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
      throw error;
    } finally {
      // A connection that dropped, or could not even roll back, is discarded; the next pass opens another.
      client.off('error', dropped);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
    this.pool = undefined;
  }

  private connect(): Pool {
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: this.database.DATABASE_URL,
        max: 1,
        application_name: `${this.service.name}-outbox-relay`,
        options: `-c search_path=${this.service.schema} -c synchronous_commit=off -c statement_timeout=10000`,
        connectionTimeoutMillis: 3_000,
        keepAlive: true,
      });
      // An idle connection that dies (Postgres restarted) is dropped from the pool, not thrown.
      this.pool.on('error', (error) => this.logger.warn({ err: error }, 'the relay lost its database connection; it opens another on its next pass'));
    }
    return this.pool;
  }
}
