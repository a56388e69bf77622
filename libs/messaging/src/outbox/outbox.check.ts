import { Injectable } from '@nestjs/common';
import { HealthDetail, type ReadinessCheck } from '@platform/service-kit';
import { MessagingConfig } from '../config/messaging.config';
import { OutboxStats } from './outbox-stats';

/**
 * Detailed health of a producer (never readiness): events are not stuck in its outbox beyond
 * OUTBOX_STUCK_AFTER_MS. A stuck relay is an alert (PlatformOutboxStuck), not a reason to stop
 * taking the writes the outbox exists to keep.
 */
@Injectable()
@HealthDetail()
export class OutboxHealthCheck implements ReadinessCheck {
  readonly name = 'outbox';

  constructor(
    private readonly stats: OutboxStats,
    private readonly config: MessagingConfig,
  ) {}

  async check() {
    const backlog = await this.stats.backlog();
    if (backlog.oldestAgeSeconds * 1000 > this.config.OUTBOX_STUCK_AFTER_MS) {
      throw new Error(`${backlog.rows} events waiting, the oldest for ${Math.round(backlog.oldestAgeSeconds)} s`);
    }
    return { backlog: backlog.rows, oldestAgeSeconds: Math.round(backlog.oldestAgeSeconds) };
  }
}
