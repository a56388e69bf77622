/** Stamps further apart from this replica's clock than this are not believed (a skewed clock, a forged header). */
const PLAUSIBLE_MS = 60_000;

/**
 * How long a request has waited since the edge received it, from the edge's `X-Request-Start`
 * header (`t=<time since the epoch>`, the form Heroku's router, NGINX's `t=${msec}` and APM agents
 * use; seconds, milliseconds or microseconds, told apart by size). Undefined when there is no
 * stamp or it is not believable; a stamp slightly in the future (clocks a little apart) is 0.
 */
export function queuedMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value && /^t=(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!match) return undefined;
  const stamp = Number(match[1]);
  const stampMs = stamp > 1e14 ? stamp / 1_000 : stamp > 1e11 ? stamp : stamp * 1_000;
  const queued = nowMs - stampMs;
  return Math.abs(queued) > PLAUSIBLE_MS ? undefined : Math.max(0, queued);
}
