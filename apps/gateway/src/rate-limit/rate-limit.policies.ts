import { GatewayConfig } from '../config/gateway.config';

export interface RateLimitPolicy {
  /** Name used in the RateLimit-Policy / RateLimit headers. */
  name: string;
  /** Quota per window. */
  limit: number;
  windowSeconds: number;
}

/** The policies of SPEC §6, from config. */
export function rateLimitPolicies(config: GatewayConfig) {
  return {
    loginPerIp: { name: 'login-ip', limit: config.RATE_LIMIT_LOGIN_PER_IP, windowSeconds: config.RATE_LIMIT_LOGIN_WINDOW_SECONDS },
    loginFailuresPerAccount: { name: 'login-account', limit: config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT, windowSeconds: config.RATE_LIMIT_ACCOUNT_WINDOW_SECONDS },
    perUser: { name: 'user', limit: config.RATE_LIMIT_PER_USER, windowSeconds: 60 },
    perIp: { name: 'ip', limit: config.RATE_LIMIT_PER_IP, windowSeconds: 60 },
  } satisfies Record<string, RateLimitPolicy>;
}

/** `RateLimit-Policy` member (draft-ietf-httpapi-ratelimit-headers): `"user";q=300;w=60`. */
export function policyHeader(policy: RateLimitPolicy): string {
  return `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`;
}

/** `RateLimit` member: `"user";r=<remaining>;t=<seconds until the quota resets>`. */
export function stateHeader(policy: RateLimitPolicy, used: number, resetMs: number): string {
  return `"${policy.name}";r=${Math.max(0, policy.limit - used)};t=${Math.max(0, Math.ceil(resetMs / 1000))}`;
}
