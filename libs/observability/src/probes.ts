const PROBES_AND_SCRAPES = /^\/(health|metrics)(\/|\?|$)/;

/**
 * A readiness or liveness probe, or a Prometheus scrape (`/health…`, `/metrics`): they come every
 * few seconds, so they run with tracing suppressed and their request lines are logged at debug level.
 */
export function isProbeOrScrape(url: string): boolean {
  return PROBES_AND_SCRAPES.test(url);
}
