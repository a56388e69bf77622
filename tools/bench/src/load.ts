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
 * Sends `rate` requests per second for `seconds`, each on its own schedule (open model: a slow
 * answer does not delay the next request), and measures each one from send to the end of its body.
 */
export async function fixedRate(options: { url: string; headers?: Record<string, string>; rate: number; seconds: number }): Promise<FixedRateResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: 64 });
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const begin = performance.now();
  for (let index = 0; index < total; index++) {
    const due = begin + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // Measured from when it was due, not from when it left: a late send is latency too.
    const sent = due;
    inFlight.push(
      pool
        .request({ method: 'GET', path: target.pathname + target.search, headers: options.headers })
        .then(async (response) => {
          await response.body.dump();
          if (response.statusCode >= 300) failed++;
          else latencies.push(performance.now() - sent);
        })
        .catch(() => {
          failed++;
        }),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  return { rate: options.rate, sent: total, failed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
