import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Periodic } from '../retry/periodic';
import type { Inbox } from './inbox';

/** Runs the inbox's retention every ten minutes while the consumer runs. */
export class InboxCleanup extends Periodic {
  private readonly logger = new Logger(InboxCleanup.name);

  constructor(inbox: Inbox, dataSource: DataSource, retentionMs: number) {
    super(10 * 60_000, async () => {
      try {
        await inbox.forgetOlderThan(dataSource.manager, retentionMs);
      } catch (error) {
        this.logger.warn({ err: error }, 'inbox cleanup failed');
      }
    });
  }
}
