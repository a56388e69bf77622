/**
 * How many requests to work on at once, learned from how long answers take (additive increase,
 * multiplicative decrease, as Netflix's concurrency-limits AIMDLimit and TCP's congestion window):
 * an answer slower than the target shrinks the limit by a tenth; one within it, while the limit is
 * half used or more, grows it by one. A fixed limit bounds latency only at the throughput it was
 * chosen for: when every answer slows down (a CPU-starved node, a slow upstream), the same number in
 * hand means a longer wait, and the adaptive limit comes down until answers are fast again.
 */
export class AdaptiveLimit {
  private value: number;

  constructor(private readonly options: { min: number; max: number; targetLatencyMs: number }) {
    this.value = options.max;
  }

  get current(): number {
    return Math.floor(this.value);
  }

  answered(latencyMs: number, inFlight: number): void {
    const { min, max, targetLatencyMs } = this.options;
    if (latencyMs > targetLatencyMs) this.value = Math.max(min, this.value * 0.9);
    else if (inFlight * 2 >= this.value) this.value = Math.min(max, this.value + 1);
  }
}
