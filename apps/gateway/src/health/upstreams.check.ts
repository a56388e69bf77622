import { Injectable } from '@nestjs/common';
import { CheckFailed, HealthDetail, type ReadinessCheck } from '@platform/service-kit';
import { Upstreams } from '../proxy/upstreams';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * The state of every upstream, in the gateway's detailed health (`GET /health`, management port),
 * for people and dashboards. Never readiness: one service down must not take the whole edge out
 * of rotation.
 */
@Injectable()
@HealthDetail()
export class UpstreamsHealthCheck implements ReadinessCheck {
  readonly name = 'upstreams';

  constructor(private readonly upstreams: Upstreams) {}

  async check() {
    const entries = await Promise.all(
      this.upstreams.all().map(async (upstream) => {
        const started = performance.now();
        try {
          const response = await upstream.pool.request({ method: 'GET', path: '/health/ready', headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS });
          await response.body.dump();
          const status = response.statusCode === 200 ? 'up' : 'down';
          return [upstream.name, { status, circuit: upstream.breaker.current, httpStatus: response.statusCode, latencyMs: Math.round(performance.now() - started) }] as const;
        } catch {
          return [upstream.name, { status: 'down', circuit: upstream.breaker.current, error: 'unreachable', latencyMs: Math.round(performance.now() - started) }] as const;
        }
      }),
    );
    const states = Object.fromEntries(entries);
    const down = entries.filter(([, state]) => state.status !== 'up').map(([name]) => name);
    if (down.length > 0) throw new CheckFailed(`not ready: ${down.join(', ')}`, states);
    return states;
  }
}
