import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

export interface WindowState {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
}

/** Fixed-window counters. `increment(key, window, 0)` reads without counting. */
export interface RateLimitStore {
  increment(key: string, windowMs: number, by?: number): Promise<WindowState>;
  close(): Promise<void>;
}

/** Counters of this process only: right for one replica, and the fallback when Redis is down. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  async increment(key: string, windowMs: number, by = 1): Promise<WindowState> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += by;
    return { count: window.count, resetMs: window.resetAt - now };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

/**
 * INCRBY and set the expiry on first use, atomically: every gateway replica shares the window.
 * Sent once; each request then runs it by its SHA1 (ioredis' defineCommand: EVALSHA, EVAL again
 * only when Redis answers NOSCRIPT, e.g. after a restart).
 */
const INCREMENT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/**
 * Counters in Redis, shared by all gateway replicas. If Redis fails, counting goes on in memory
 * (per replica, so looser, but never unlimited) until Redis answers again.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger(RedisRateLimitStore.name);
  private readonly fallback = new MemoryRateLimitStore();
  private degradedSince = 0;

  private readonly redis: Redis & { rateLimitIncrement(key: string, windowMs: string, by: string): Promise<[number, number]> };

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('rateLimitIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    this.redis = redis as RedisRateLimitStore['redis'];
  }

  async increment(key: string, windowMs: number, by = 1): Promise<WindowState> {
    try {
      const [count, ttl] = await this.redis.rateLimitIncrement(`${this.prefix}${key}`, String(windowMs), String(by));
      if (this.degradedSince) {
        this.logger.log('Redis is back; rate limits are shared again');
        this.degradedSince = 0;
      }
      return { count, resetMs: ttl };
    } catch (error) {
      if (!this.degradedSince) {
        this.degradedSince = Date.now();
        this.logger.warn({ err: error }, 'Redis unavailable; counting rate limits in memory');
      }
      return this.fallback.increment(key, windowMs, by);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
    this.redis.disconnect();
  }
}
