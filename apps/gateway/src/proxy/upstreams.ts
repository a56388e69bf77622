import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { gauge } from '@platform/observability';
import { Pool } from 'undici';
import { GatewayConfig } from '../config/gateway.config';
import { CircuitBreaker } from './circuit-breaker';

export const UPSTREAM_NAMES = ['user-service', 'order-service', 'notification-service'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export interface Upstream {
  name: UpstreamName;
  origin: string;
  pool: Pool;
  breaker: CircuitBreaker;
  timeoutMs: number;
}

/** Per upstream service: a keep-alive connection pool, a timeout and a circuit breaker. */
@Injectable()
export class Upstreams implements OnModuleDestroy {
  private readonly upstreams: Map<UpstreamName, Upstream>;

  constructor(readonly config: GatewayConfig) {
    const settings: Record<UpstreamName, { url: string; timeoutMs?: number }> = {
      'user-service': { url: config.USER_SERVICE_URL, timeoutMs: config.USER_SERVICE_TIMEOUT_MS },
      'order-service': { url: config.ORDER_SERVICE_URL, timeoutMs: config.ORDER_SERVICE_TIMEOUT_MS },
      'notification-service': { url: config.NOTIFICATION_SERVICE_URL, timeoutMs: config.NOTIFICATION_SERVICE_TIMEOUT_MS },
    };
    this.upstreams = new Map(
      UPSTREAM_NAMES.map((name) => {
        const origin = new URL(settings[name].url).origin;
        const timeoutMs = settings[name].timeoutMs ?? config.UPSTREAM_TIMEOUT_MS;
        const pool = new Pool(origin, {
          connections: config.UPSTREAM_CONNECTIONS,
          keepAliveTimeout: 30_000,
          keepAliveMaxTimeout: 60_000,
          connect: { timeout: Math.min(1_000, timeoutMs) },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const breaker = new CircuitBreaker({ failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS });
        return [name, { name, origin, pool, breaker, timeoutMs }];
      }),
    );
    const states = { closed: 0, 'half-open': 1, open: 2 } as const;
    gauge('gateway_upstream_circuit_state', 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.', ['upstream'], (metric) => {
      for (const upstream of this.all()) metric.set({ upstream: upstream.name }, states[upstream.breaker.current]);
    });
  }

  get(name: UpstreamName): Upstream {
    return this.upstreams.get(name) as Upstream;
  }

  all(): Upstream[] {
    return [...this.upstreams.values()];
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.all().map((upstream) => upstream.pool.close()));
  }
}
