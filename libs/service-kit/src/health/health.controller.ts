import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction, type HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/public.decorator';
import { CheckFailed, HealthDetail, Readiness, ShutdownState, withTimeout, type ReadinessCheck } from './readiness';

const CHECK_TIMEOUT_MS = 2_000;

@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    private readonly discovery: DiscoveryService,
  ) {}

  private found?: { readiness: ReadinessCheck[]; details: ReadinessCheck[] };

  /** The checks the app's modules provide (no readiness check for the gateway: it is ready when it can serve). */
  private get checks(): { readiness: ReadinessCheck[]; details: ReadinessCheck[] } {
    const of = (metadataKey: string) => this.discovery.getProviders({ metadataKey }).map((wrapper) => wrapper.instance as ReadinessCheck);
    this.found ??= { readiness: of(Readiness.KEY), details: of(HealthDetail.KEY) };
    return this.found;
  }

  /** Liveness: the process runs its event loop. Never depends on anything outside the process. */
  @Get('live')
  live() {
    return { status: 'ok', info: { process: { status: 'up', uptimeSeconds: Math.round(process.uptime()) } } };
  }

  /** Readiness: the service can serve its API (its database answers) and is not draining. */
  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.report(reply, [() => this.draining(), ...this.checks.readiness.map((check) => () => this.run(check))]);
  }

  /**
   * The detailed health, on the management port only: readiness and every detail (Kafka, outbox,
   * consumer lag, upstreams). 503 when anything is down; not a probe.
   */
  @Get()
  details(@Res({ passthrough: true }) reply: FastifyReply) {
    const { readiness, details } = this.checks;
    return this.report(reply, [() => this.draining(), ...[...readiness, ...details].map((check) => () => this.run(check))]);
  }

  private async report(reply: FastifyReply, indicators: HealthIndicatorFunction[]) {
    try {
      return await this.health.check(indicators);
    } catch (error) {
      reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return (error as { getResponse?: () => unknown }).getResponse?.() ?? { status: 'error' };
    }
  }

  private draining(): HealthIndicatorResult {
    const indicator = this.indicators.check('shutdown');
    return this.shutdown.isShuttingDown ? indicator.down({ message: 'draining' }) : indicator.up();
  }

  private async run(check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(check.name);
    try {
      const details = await withTimeout(check.check(), CHECK_TIMEOUT_MS, check.name);
      return indicator.up(details ?? {});
    } catch (error) {
      return indicator.down({ message: (error as Error).message, ...(error instanceof CheckFailed ? error.details : {}) });
    }
  }
}

