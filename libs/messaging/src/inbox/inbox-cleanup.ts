import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { TransactionSlots } from '../consumer/transaction-slots';
import { Periodic } from '../retry/periodic';
import type { Inbox } from './inbox';

/** Runs the inbox's retention every ten minutes while the consumer runs, in one of the consumer's slots of the pool. */
export class InboxCleanup extends Periodic {
  private readonly logger = new Logger(InboxCleanup.name);

  constructor(inbox: Inbox, dataSource: DataSource, slots: TransactionSlots, retentionMs: number) {
    super(10 * 60_000, async () => {
      try {
        await slots.run(() => inbox.forgetOlderThan(dataSource.manager, retentionMs));
      } catch (error) {
        this.logger.warn({ err: error }, 'inbox cleanup failed');
      }
    });
  }
}
