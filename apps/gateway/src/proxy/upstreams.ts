import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'undici';
import { GatewayConfig } from '../config/gateway.config';

export const UPSTREAM_NAMES = ['user-service', 'order-service', 'notification-service'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export interface Upstream {
  name: UpstreamName;
  origin: string;
  pool: Pool;
}

/** A keep-alive connection pool per upstream service. */
@Injectable()
export class Upstreams implements OnModuleDestroy {
  private readonly upstreams: Map<UpstreamName, Upstream>;

  constructor(readonly config: GatewayConfig) {
    const origins: Record<UpstreamName, string> = {
      'user-service': config.USER_SERVICE_URL,
      'order-service': config.ORDER_SERVICE_URL,
      'notification-service': config.NOTIFICATION_SERVICE_URL,
    };
    this.upstreams = new Map(
      UPSTREAM_NAMES.map((name) => {
        const origin = new URL(origins[name]).origin;
        const pool = new Pool(origin, {
          connections: config.UPSTREAM_CONNECTIONS,
          keepAliveTimeout: 30_000,
          keepAliveMaxTimeout: 60_000,
          connect: { timeout: 1_000 },
          headersTimeout: config.UPSTREAM_TIMEOUT_MS,
          bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
        });
        return [name, { name, origin, pool }];
      }),
    );
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
