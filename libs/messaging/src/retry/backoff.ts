/**
 * The one retry delay of the platform: exponential from `initialMs`, capped at `maxMs`, with full
 * jitter on the upper half so replicas do not retry in lockstep.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
