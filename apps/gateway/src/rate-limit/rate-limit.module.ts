import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import Redis from 'ioredis';
import { GatewayConfig } from '../config/gateway.config';
import { RATE_LIMIT_STORE, RateLimitGuard } from './rate-limit.guard';
import { MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from './rate-limit.store';

function createStore(config: GatewayConfig): RateLimitStore {
  if (!config.REDIS_URL) return new MemoryRateLimitStore();
  const redis = new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 1_000, commandTimeout: 500 });
  redis.on('error', () => undefined); // reported by the store when a command fails
  return new RedisRateLimitStore(redis, config.REDIS_KEY_PREFIX);
}

/** Edge rate limiting: Redis-backed when REDIS_URL is set (shared by replicas), in memory otherwise. */
@Module({
  providers: [
    { provide: RATE_LIMIT_STORE, useFactory: createStore, inject: [GatewayConfig] },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
