import { createHash } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '@platform/auth';
import { DomainError } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayConfig } from '../config/gateway.config';
import { policyHeader, rateLimitPolicies, stateHeader, type RateLimitPolicy } from './rate-limit.policies';
import type { RateLimitStore } from './rate-limit.store';

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

const LOGIN_ROUTE = 'POST /api/v1/auth/login';

interface Verdict {
  policy: RateLimitPolicy;
  used: number;
  resetMs: number;
  /** Over quota once this hit counts (or, for a peek, already at it). */
  exceeded: boolean;
}

/** The account a login attempt is for, as a hash: no email ends up in Redis keys. */
function accountKey(body: unknown): string | undefined {
  if (!Buffer.isBuffer(body)) return undefined;
  try {
    const { email } = JSON.parse(body.toString('utf8')) as { email?: unknown };
    return typeof email === 'string' && email.trim() ? createHash('sha256').update(email.trim().toLowerCase()).digest('hex') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rate limits at the edge, after authentication: every authenticated request counts against its
 * user, every anonymous one against its client IP; login attempts also count per IP, and failed
 * logins per account (brute force, credential stuffing). Limited routes carry `RateLimit-Policy`
 * and `RateLimit`; a refused request gets 429 problem+json with `Retry-After`.
 *
 * A global guard, like @nestjs/throttler's, and not an interceptor: it needs nothing of the
 * answer but a failed login's status, which it reads when the reply is done, and an interceptor
 * runs every request through RxJS (~10 % of the gateway's CPU profile). Global guards run in the
 * order their modules are imported: AuthModule's, which sets `request.user`, comes first.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly policies: ReturnType<typeof rateLimitPolicies>;

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    config: GatewayConfig,
  ) {
    this.policies = rateLimitPolicies(config);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const afterResponse = await this.admit(request, reply);
    if (afterResponse) reply.raw.once('close', () => afterResponse(reply.statusCode));
    return true;
  }

  /** Counts the request; throws 429 when over quota. Returns what to do once the answer is known. */
  private async admit(request: FastifyRequest & { user?: AuthenticatedUser }, reply: FastifyReply): Promise<((status: number) => void) | undefined> {
    const verdicts: Verdict[] = [];
    let afterResponse: ((status: number) => void) | undefined;
    if (`${request.method} ${request.routeOptions?.url}` === LOGIN_ROUTE) {
      verdicts.push(await this.hit(this.policies.loginPerIp, `login-ip:${request.ip}`));
      const account = accountKey(request.body);
      if (account) {
        const policy = this.policies.loginFailuresPerAccount;
        const key = `login-account:${account}`;
        const { count, resetMs } = await this.store.increment(key, policy.windowSeconds * 1000, 0);
        verdicts.push({ policy, used: count, resetMs, exceeded: count >= policy.limit });
        afterResponse = (status) => {
          if (status === 401) void this.store.increment(key, policy.windowSeconds * 1000, 1);
        };
      }
    } else if (request.user) {
      verdicts.push(await this.hit(this.policies.perUser, `user:${request.user.id}`));
    } else {
      verdicts.push(await this.hit(this.policies.perIp, `ip:${request.ip}`));
    }

    void reply.header('ratelimit-policy', verdicts.map((verdict) => policyHeader(verdict.policy)).join(', '));
    void reply.header('ratelimit', verdicts.map((verdict) => stateHeader(verdict.policy, verdict.used, verdict.resetMs)).join(', '));
    const refused = verdicts.filter((verdict) => verdict.exceeded);
    if (refused.length > 0) {
      const waitMs = Math.max(...refused.map((verdict) => verdict.resetMs));
      void reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw new DomainError('too-many-requests', 'RATE_LIMIT.EXCEEDED', `Too many requests (${refused.map((verdict) => verdict.policy.name).join(', ')}); retry later.`);
    }
    return afterResponse;
  }

  private async hit(policy: RateLimitPolicy, key: string): Promise<Verdict> {
    const { count, resetMs } = await this.store.increment(key, policy.windowSeconds * 1000);
    return { policy, used: count, resetMs, exceeded: count > policy.limit };
  }
}
