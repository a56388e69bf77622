/**
 * Which requests to shed for the time they waited before this replica read them: controlled
 * delay (CoDel) as "Fail at Scale" (Maurer, ACM Queue 2015) applies it to a server's queue. A
 * queue that emptied a moment ago is a burst, or a stall the replica is working off (a GC pause,
 * a neighbour holding the CPU): its requests are served unless they waited longer than twice
 * `maxQueueMs` (and the interval). A queue that has not emptied for an interval is standing
 * (arrivals outrun the replica): then a request that waited past `maxQueueMs` is shed, so the
 * queue drains. Twice, not the whole interval: under overload some requests still find the queue
 * short, and admitting what waited a second then took the rehearsal's admitted p99 past its bound.
 *
 * "Emptied" is read off the requests themselves, as the queue before the process cannot be
 * looked at: one that arrived having waited at most half of `maxQueueMs` found it short (CoDel's
 * target: a queue whose shortest wait over an interval stays above it is standing; a tenth proved
 * too strict on a busy 2-core machine, where half-loaded replicas' waits often pass 25 ms). With no
 * such request yet the queue counts as standing. An edge clock far behind this replica's makes
 * every queue look standing, which is the plain bound again.
 */
export class ControlledDelay {
  private lastEmptyAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly bounds: { maxQueueMs: number; intervalMs: number }) {}

  /** Whether a request that waited `queuedMs` when the replica read it, at `nowMs`, is shed. */
  shed(queuedMs: number, nowMs: number): boolean {
    if (queuedMs <= this.bounds.maxQueueMs / 2) {
      this.lastEmptyAt = nowMs;
      return false;
    }
    const standing = nowMs - this.lastEmptyAt > this.bounds.intervalMs;
    return queuedMs > (standing ? this.bounds.maxQueueMs : Math.max(this.bounds.maxQueueMs, Math.min(this.bounds.intervalMs, 2 * this.bounds.maxQueueMs)));
  }
}
