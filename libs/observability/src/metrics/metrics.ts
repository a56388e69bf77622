import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process-wide Prometheus registry every metric of a service is registered in. */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/** Process and Node.js runtime metrics (CPU, memory, event loop lag, GC), once per process. */
export function collectProcessMetrics(labels: Record<string, string>): void {
  if (defaultsCollected) return;
  metricsRegistry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: metricsRegistry });
  defaultsCollected = true;
}

function metric<T>(name: string, create: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? create();
}

export function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return metric(name, () => new Counter({ name, help, labelNames, registers: [metricsRegistry] }));
}

/** A gauge; `collect` (optional) refreshes its values at scrape time. */
export function gauge<L extends string>(name: string, help: string, labelNames: L[], collect?: (gauge: Gauge<L>) => Promise<void> | void): Gauge<L> {
  return metric(name, () => {
    const created: Gauge<L> = new Gauge({ name, help, labelNames, registers: [metricsRegistry], ...(collect ? { collect: () => collect(created) } : {}) });
    return created;
  });
}

export function histogram<L extends string>(name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
  return metric(name, () => new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] }));
}

