import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@platform/service-kit';
import type { FastifyReply } from 'fastify';
import { Upstreams } from '../proxy/upstreams';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * `GET /health`: the state of every upstream, for people and dashboards. Not a probe: the gateway's
 * own readiness (/health/ready) does not depend on upstreams, so one service down does not take
 * the whole edge out of rotation.
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class UpstreamHealthController {
  constructor(private readonly upstreams: Upstreams) {}

  @Get()
  async upstreamStates(@Res({ passthrough: true }) reply: FastifyReply) {
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
    const allUp = entries.every(([, state]) => state.status === 'up');
    reply.status(allUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: allUp ? 'ok' : 'degraded', upstreams: Object.fromEntries(entries) };
  }
}
