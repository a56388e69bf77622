import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Settings every service has (its HTTP server and its life cycle). Each service's config class extends it. */
export class BaseServiceConfig {
  /** The client port: the public API (and the probes). */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  /**
   * The management port: /metrics, /health/live, /health/ready (and the gateway's /health), for
   * probes and Prometheus only. Ingress never routes it; the NetworkPolicy admits only monitoring.
   */
  @IsInt()
  @Min(0)
  @Max(65535)
  MANAGEMENT_PORT: number = 9464;

  @IsString()
  HOST = '0.0.0.0';

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

  /** Deepest nesting of arrays/objects a JSON body may have; deeper is a 400 before anything recurses. */
  @IsInt()
  @Min(4)
  @Max(1000)
  JSON_MAX_DEPTH: number = 32;

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
}
