import { JwksConfig, TokenConfig } from '@platform/auth';
import { CommaSeparated } from '@platform/config';
import { BaseServiceConfig } from '@platform/service-kit';
import { IsArray, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

const url = () => IsUrl({ require_tld: false, protocols: ['http', 'https'] });
/** An origin as a browser sends it: scheme, lower-case host (or [IPv6]), optional port; no path, no wildcard. */
const ORIGIN = /^https?:\/\/([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/;

export class GatewayConfig extends BaseServiceConfig {
  override PORT = 3000;

  @url()
  USER_SERVICE_URL: string;

  @url()
  ORDER_SERVICE_URL: string;

  @url()
  NOTIFICATION_SERVICE_URL: string;

  /** Longest wait for an upstream's response headers before answering 504. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  UPSTREAM_TIMEOUT_MS: number = 5_000;

  /** Per-upstream overrides of UPSTREAM_TIMEOUT_MS (user-service hashes passwords: give it room). */
  @IsOptional()
  @IsInt()
  @Min(100)
  USER_SERVICE_TIMEOUT_MS?: number;

  @IsOptional()
  @IsInt()
  @Min(100)
  ORDER_SERVICE_TIMEOUT_MS?: number;

  @IsOptional()
  @IsInt()
  @Min(100)
  NOTIFICATION_SERVICE_TIMEOUT_MS?: number;

  /** Keep-alive connections per upstream. */
  @IsInt()
  @Min(1)
  @Max(1_024)
  UPSTREAM_CONNECTIONS: number = 64;

  /**
   * Admission control: API requests this replica works on at once, at most; one more is answered
   * 503 GATEWAY.OVERLOADED with Retry-After at once (live streams are not counted). The limit in
   * force adapts below it to ADMISSION_TARGET_LATENCY_MS.
   */
  @IsInt()
  @Min(1)
  @Max(100_000)
  ADMISSION_MAX_IN_FLIGHT: number = 128;

  /** Admission control: answers slower than this bring the number of requests admitted at once down (and faster ones back up). */
  @IsInt()
  @Min(10)
  @Max(60_000)
  ADMISSION_TARGET_LATENCY_MS: number = 1_000;

  /** Admission control: past this mean event-loop delay over a second (the replica is far short of CPU) API requests are shed the same way. */
  @IsInt()
  @Min(10)
  @Max(10_000)
  ADMISSION_MAX_EVENT_LOOP_DELAY_MS: number = 500;

  /**
   * Admission control: an API request that waited longer than this between the edge and this
   * replica (the edge's `X-Request-Start` stamp) is shed the same way; 0 turns it off.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  ADMISSION_MAX_QUEUE_MS: number = 250;

  /** Extra attempts for idempotent methods, and POSTs with an Idempotency-Key, whose connection failed or was reset before any answer. */
  @IsInt()
  @Min(0)
  @Max(5)
  UPSTREAM_RETRIES: number = 2;

  /** Consecutive failures (unreachable, timeout, 502/503/504) that open an upstream's circuit. */
  @IsInt()
  @Min(1)
  BREAKER_FAILURE_THRESHOLD: number = 5;

  /** How long an open circuit refuses requests before letting a trial through. */
  @IsInt()
  @Min(100)
  BREAKER_OPEN_MS: number = 5_000;

  /** Shared rate-limit counters for several gateway replicas; in-process counters without it. */
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString()
  REDIS_KEY_PREFIX = 'platform:gateway:';

  /** Login attempts per client IP per window (every attempt counts). */
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_IP: number = 20;

  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: number = 300;

  /** Failed logins per account per window; past it the account's logins get 429 until the window ends. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: number = 5;

  @IsInt()
  @Min(1)
  RATE_LIMIT_ACCOUNT_WINDOW_SECONDS: number = 900;

  /** Requests per authenticated user per minute. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_USER: number = 300;

  /** Live notification streams one user may hold open through this gateway at once (429 beyond). */
  @IsInt()
  @Min(1)
  @Max(100)
  STREAMS_PER_USER: number = 5;

  /**
   * Web app origins allowed to call the API from a browser (CORS), comma-separated, each exactly as
   * the browser sends it (`https://app.example.com`, `http://localhost:5173`); none by default.
   */
  @CommaSeparated()
  @IsArray()
  @Matches(ORIGIN, { each: true, message: 'CORS_ORIGINS must list exact origins such as https://app.example.com (scheme, lower-case host, optional port; no path, no trailing slash, no wildcard)' })
  CORS_ORIGINS: string[] = [];

  /** Requests per client IP per minute on routes without a token (register, refresh, …). */
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_IP: number = 120;
}

/** Every other settings class the gateway reads; all are validated together at start-up (README lists them). */
export const GATEWAY_SETTINGS = [TokenConfig, JwksConfig];
