/**
 * The consumer's share of the service's database pool. Each partition in work holds a pooled
 * connection for its transaction, and a consumer catching up after an outage works on up to
 * EVENT_PARTITION_CONCURRENCY (12) partitions at once: more than the pool's DATABASE_POOL_MAX
 * (10). The API's requests then waited for a connection behind them and timed out (a 503 after
 * the pool's 3 s, found by the rehearsal's kafka-freeze). So the consumer's transactions take at
 * most half the pool at once, and wait here, in order, for a slot; the other half is left to the
 * API's requests and the service's other work.
 */
export class TransactionSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`transaction slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  /** Half of a pool of `poolMax` connections, at least one. */
  static shareOf(poolMax: number): TransactionSlots {
    return new TransactionSlots(Math.max(1, Math.floor(poolMax / 2)));
  }

  /** Runs `work` once a slot is free, and frees it after, whatever `work` did. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
