// The two ways the benchmark loads a URL: flat out (autocannon, throughput) and at a fixed rate
// (our own pacing, latency measured per request with a monotonic clock, to the microsecond).
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  duration?: number;
  overallRate?: number;
}

/** Saturates the URL with `connections` keep-alive connections for `duration` seconds. */
export function saturate(options: LoadOptions & { connections: number; duration: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon({ ...options }, (error: Error | null, result: LoadResult) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * The order of turn `turn` over `items`: as given, then reversed, and so on. Nothing is always
 * measured right after the same neighbour, nor always first (on this machine, whichever of two
 * identical gateways went second in every turn used 11-18 % less CPU per request).
 */
export function turnOrder<T>(items: readonly T[], turn: number): T[] {
  return turn % 2 === 0 ? [...items] : [...items].reverse();
}

/** One result from runs of the same URL in turns: mean req/s and percentiles, summed failures. */
export function combineTurns(runs: LoadResult[]): LoadResult {
  const mean = (pick: (run: LoadResult) => number) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  return {
    requests: { average: mean((run) => run.requests.average) },
    latency: { p50: mean((run) => run.latency.p50), p99: mean((run) => run.latency.p99) },
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export interface FixedRateResult {
  rate: number;
  sent: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Sends `rate` requests per second to each URL for `seconds`, in turns of `turnSeconds` (one URL,
 * then the next, …, in turnOrder), so that every URL meets the same neighbours on a shared machine; each request
 * on its own schedule (open model: a slow answer does not delay the next request), measured from
 * when it was due to the end of its body. One keep-alive pool per URL for the whole run.
 */
export async function fixedRate(options: { urls: string[]; headers?: Record<string, string>; rate: number; seconds: number; turnSeconds?: number }): Promise<FixedRateResult[]> {
  const targets = options.urls.map((address) => {
    const url = new URL(address);
    return { url, pool: new Pool(url.origin, { connections: 64 }), latencies: [] as number[], failed: 0, sent: 0 };
  });
  const interval = 1000 / options.rate;
  const turnSeconds = Math.min(options.turnSeconds ?? 1, options.seconds);
  const perTurn = Math.round(options.rate * turnSeconds);
  try {
    for (let turn = 0; turn < Math.round(options.seconds / turnSeconds); turn++) {
      for (const target of turnOrder(targets, turn)) {
        const inFlight: Promise<void>[] = [];
        const begin = performance.now();
        for (let index = 0; index < perTurn; index++) {
          const due = begin + index * interval;
          const wait = due - performance.now();
          if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
          // Measured from when it was due, not from when it left: a late send is latency too.
          const sent = due;
          target.sent++;
          inFlight.push(
            target.pool
              .request({ method: 'GET', path: target.url.pathname + target.url.search, headers: options.headers })
              .then(async (response) => {
                await response.body.dump();
                if (response.statusCode >= 300) target.failed++;
                else target.latencies.push(performance.now() - sent);
              })
              .catch(() => {
                target.failed++;
              }),
          );
        }
        await Promise.all(inFlight);
      }
    }
  } finally {
    await Promise.all(targets.map((target) => target.pool.close()));
  }
  return targets.map((target) => ({ rate: options.rate, sent: target.sent, failed: target.failed, p50Ms: percentile(target.latencies, 50), p99Ms: percentile(target.latencies, 99) }));
}

/**
 * Sends one request every 1/`rate` s for `seconds`, each on its own schedule (open model, like the
 * bare pipeline's writer): autocannon's `overallRate` releases each second's quota at once, so a
 * "steady" 5/s arrived as bursts of five.
 */
export async function steadyRate(options: { url: string; method: 'POST' | 'GET'; headers?: Record<string, string>; body?: string; rate: number; seconds: number }): Promise<{ sent: number; failed: number }> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: 64 });
  const interval = 1000 / options.rate;
  const count = Math.round(options.rate * options.seconds);
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  try {
    const begin = performance.now();
    for (let index = 0; index < count; index++) {
      const wait = begin + index * interval - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        pool
          .request({ method: options.method, path: url.pathname + url.search, headers: options.headers, body: options.body })
          .then(async (response) => {
            await response.body.dump();
            if (response.statusCode >= 300) failed++;
          })
          .catch(() => {
            failed++;
          }),
      );
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  return { sent: count, failed };
}
