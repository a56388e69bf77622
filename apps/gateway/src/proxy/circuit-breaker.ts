export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before one trial request is let through. */
  openMs: number;
  now?: () => number;
}

/**
 * Classic three-state breaker for one upstream. Closed: requests pass, consecutive failures are
 * counted. Open: requests are refused at once (no waiting on a dead upstream). After `openMs`,
 * half-open: one trial request passes; its success closes the circuit, its failure reopens it. A
 * trial that has not reported back within `openMs` counts as lost, and another may pass: a leaked
 * trial must not keep the circuit from ever closing.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private trialStartedAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get current(): CircuitState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.openMs) return 'half-open';
    return this.state;
  }

  /** Milliseconds until a trial request will be allowed (0 when requests pass now). */
  get retryAfterMs(): number {
    return this.state === 'open' ? Math.max(0, this.options.openMs - (this.now() - this.openedAt)) : 0;
  }

  /** Whether a request may go upstream now; in half-open, only one at a time. */
  tryAcquire(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'open' || (this.trialInFlight && this.now() - this.trialStartedAt < this.options.openMs)) return false;
    this.state = 'half-open';
    this.trialInFlight = true;
    this.trialStartedAt = this.now();
    return true;
  }

  succeeded(): void {
    this.state = 'closed';
    this.failures = 0;
    this.trialInFlight = false;
  }

  failed(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}
