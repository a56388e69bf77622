import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, IS_PUBLIC } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUIRED_ROLES } from './auth.decorators';
import type { AuthenticatedUser } from './authenticated-user';
import { TokenVerifier } from './token-verifier';

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * Global guard of every service: each route needs a valid access token unless marked @Public(),
 * and the roles @Roles() asks for. Identity comes only from the verified token, never from
 * headers a proxy could have set.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw this.unauthenticated(context, 'An access token is required (Authorization: Bearer …).');
    try {
      request.user = await this.verifier.verify(token);
    } catch {
      throw this.unauthenticated(context, 'The access token is invalid or expired.');
    }

    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    if (!roles.every((role) => request.user?.roles.includes(role))) {
      throw new DomainError('forbidden', 'AUTH.FORBIDDEN', 'This route needs a role the caller does not have.');
    }
    return true;
  }

  private unauthenticated(context: ExecutionContext, message: string): DomainError {
    void context.switchToHttp().getResponse<FastifyReply>().header('www-authenticate', 'Bearer');
    return new DomainError('unauthenticated', 'AUTH.UNAUTHENTICATED', message);
  }
}
