import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/public.decorator';
import { Readiness, ShutdownState, withTimeout, type ReadinessCheck } from './readiness';

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

  private registered?: ReadinessCheck[];

  /** The checks the app's modules provide (none for the gateway: it is ready when it can serve). */
  private get checks(): ReadinessCheck[] {
    this.registered ??= this.discovery.getProviders({ metadataKey: Readiness.KEY }).map((wrapper) => wrapper.instance as ReadinessCheck);
    return this.registered;
  }

  /** Liveness: the process runs its event loop. Never depends on anything outside the process. */
  @Get('live')
  live() {
    return { status: 'ok', info: { process: { status: 'up', uptimeSeconds: Math.round(process.uptime()) } } };
  }

  /** Readiness: every dependency answers, and the service is not draining. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const indicators = [
      () => this.draining(),
      ...this.checks.map((check) => () => this.run(check)),
    ];
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
      return indicator.down({ message: (error as Error).message });
    }
  }
}
