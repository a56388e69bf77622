import { Inject, Injectable } from '@nestjs/common';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { OutboxStats } from './outbox-stats';

/** Readiness of a producer: events are not stuck in its outbox beyond OUTBOX_STUCK_AFTER_MS. */
@Injectable()
export class OutboxReadinessCheck {
  readonly name = 'outbox';

  constructor(
    private readonly stats: OutboxStats,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async check() {
    const backlog = await this.stats.backlog();
    if (backlog.oldestAgeSeconds * 1000 > this.options.relay.stuckAfterMs) {
      throw new Error(`${backlog.rows} events waiting, the oldest for ${Math.round(backlog.oldestAgeSeconds)} s`);
    }
    return { backlog: backlog.rows };
  }
}
