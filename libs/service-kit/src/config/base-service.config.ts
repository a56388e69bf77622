import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Settings every service has. Each service's config class extends it. */
export class BaseServiceConfig {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(LogLevels)
  LOG_LEVEL: (typeof LogLevels)[number] = 'info';

  /** `pretty` prints human-readable lines; the default `json` writes one JSON object per line. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /** How long readiness reports 503 before the server stops accepting (lets load balancers drain). */
  @IsInt()
  @Min(0)
  SHUTDOWN_DELAY_MS: number = 0;

  /** Hard limit for a graceful shutdown; past it the process exits with code 1. */
  @IsInt()
  @Min(1000)
  SHUTDOWN_TIMEOUT_MS: number = 25_000;

  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES: number = 1_048_576;

  /**
   * Which X-Forwarded-For hops to believe for the client IP (rate limits, logs): `false` (none, the
   * default: an edge must not trust what clients send), a hop count like `1` behind one load
   * balancer, or comma-separated proxy addresses/CIDRs.
   */
  @IsString()
  @Matches(/^(false|true|\d+|[0-9a-fA-F.:/, ]+)$/, { message: 'TRUST_PROXY must be false, true, a hop count or a list of addresses' })
  TRUST_PROXY = 'false';

  /** TRUST_PROXY in the shape Fastify takes. */
  get trustProxy(): boolean | number | string[] {
    if (this.TRUST_PROXY === 'false' || this.TRUST_PROXY === 'true') return this.TRUST_PROXY === 'true';
    if (/^\d+$/.test(this.TRUST_PROXY)) return Number(this.TRUST_PROXY);
    return this.TRUST_PROXY.split(',').map((entry) => entry.trim()).filter(Boolean);
  }

  /** Accepted for symmetry with OTEL_SERVICE_VERSION; set by the image build. */
  @IsOptional()
  @IsString()
  SERVICE_VERSION = '0.0.0-dev';
}

type RawSettings = Record<string, unknown>;

/** For comma-separated list settings: `a, b` → ['a', 'b']. Reads the raw value, before type conversion. */
export const CommaSeparated = () =>
  Transform(({ key, obj, value }) => {
    const raw = (obj as RawSettings)[key];
    return typeof raw === 'string'
      ? raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value;
  });

/** For on/off settings: `true`, `1`, `yes` are on; `false`, `0`, `no` are off; anything else is refused. */
export const BooleanFlag = () =>
  Transform(({ key, obj, value }) => {
    const raw = (obj as RawSettings)[key];
    if (typeof raw !== 'string') return value;
    const normalized = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
    if (['false', '0', 'no', 'off'].includes(normalized)) return false;
    return raw;
  });
