import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { sleep } from '@platform/local-platform';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * Successful requests per second with 32 keep-alive connections flat out (a closed loop): what the
 * platform serves here, and the p99 of those answers (the latency of a platform that is busy but
 * not overloaded: 32 requests at a time is within what it admits).
 */
export async function measureCapacity(url: string, headers: Record<string, string>, seconds: number): Promise<{ perSecond: number; p99Ms: number }> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 32 });
  // Counted after a warm-up as long again: replicas just started (a scenario before restarted
  // some) answer their first thousand requests before the JIT has done its work.
  const from = performance.now() + seconds * 1000;
  const end = from + seconds * 1000;
  const latencies: number[] = [];
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      const response = await pool.request({ method: 'GET', path: target.pathname, headers }).catch(() => undefined);
      await response?.body.dump();
      if (response?.statusCode === 200 && started >= from) latencies.push(performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: 32 }, worker));
  } finally {
    await pool.close();
  }
  // A platform that answers nothing has no capacity to measure against: that is a failure, not a rate of 0.
  if (latencies.length === 0) throw new Error(`no answer 200 from ${target.pathname} in ${seconds} s of measuring capacity`);
  return { perSecond: latencies.length / seconds, p99Ms: Math.round(percentile(latencies, 99)) };
}

export interface OpenLoopResult {
  sent: number;
  admitted: number;
  /** 503 or 429 with Retry-After. */
  shed: number;
  /** No answer, a 5xx without Retry-After, or any other unexpected answer. */
  failed: number;
  admittedP50Ms: number;
  admittedP99Ms: number;
  shedP99Ms: number;
  /** How late this process itself issued requests (its own share of a shared machine's CPU): part of every latency above. */
  issueLagP99Ms: number;
  failures: Record<string, number>;
}

/**
 * `rate` requests per second for `seconds`, each on its own schedule (an open loop: a slow answer
 * does not slow the arrivals, as with real clients), measured from when it was due.
 */
export async function openLoop(url: string, headers: Record<string, string> | (() => Record<string, string>), rate: number, seconds: number): Promise<OpenLoopResult> {
  // A function for runs longer than an access token lives (the soak): asked again for each request.
  const headersNow = typeof headers === 'function' ? headers : () => headers;
  const target = new URL(url);
  // A connection for every request in flight, for as long as the slowest answer judged (a second):
  // with fewer, requests wait unsent in this pool, where the platform cannot see or shed them but
  // their latency counts (CI at 2 304 req/s on 512 connections: shed answers after 4 s).
  const pool = new Pool(target.origin, { connections: Math.max(512, Math.ceil(rate)), headersTimeout: 30_000, bodyTimeout: 30_000 });
  const admitted: number[] = [];
  const shed: number[] = [];
  const issueLags: number[] = [];
  const failures: Record<string, number> = {};
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const begin = performance.now();
  const total = Math.round(rate * seconds);
  try {
    for (let index = 0; index < total; index++) {
      const due = begin + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      sent++;
      issueLags.push(performance.now() - due);
      const request = pool
        .request({ method: 'GET', path: target.pathname, headers: headersNow() })
        .then(async (response) => {
          await response.body.dump();
          const ms = performance.now() - due;
          if (response.statusCode === 200) admitted.push(ms);
          else if ((response.statusCode === 503 || response.statusCode === 429) && response.headers['retry-after']) shed.push(ms);
          else failures[String(response.statusCode)] = (failures[String(response.statusCode)] ?? 0) + 1;
        })
        .catch((error: { code?: string; name?: string }) => {
          const key = error.code ?? error.name ?? 'error';
          failures[key] = (failures[key] ?? 0) + 1;
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all([...inFlight]);
  } finally {
    await pool.close();
  }
  const failed = Object.values(failures).reduce((sum, n) => sum + n, 0);
  return {
    sent,
    admitted: admitted.length,
    shed: shed.length,
    failed,
    admittedP50Ms: Math.round(percentile(admitted, 50)),
    admittedP99Ms: Math.round(percentile(admitted, 99)),
    shedP99Ms: Math.round(percentile(shed, 99)),
    issueLagP99Ms: Math.round(percentile(issueLags, 99)),
    failures,
  };
}

/** When full service is back: five answers in a row 200 and each within 250 ms. */
export async function recoveredAt(url: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let good = 0;
  let firstGood = Date.now();
  while (Date.now() < deadline) {
    const started = performance.now();
    const at = Date.now();
    const status = await fetch(url, { headers }).then((response) => response.status, () => 0);
    good = status === 200 && performance.now() - started < 250 ? good + 1 : 0;
    if (good === 1) firstGood = at;
    if (good === 5) return firstGood;
    await sleep(100);
  }
  return Date.now();
}
