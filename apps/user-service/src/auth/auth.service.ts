import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { LoginRequest, RegisterRequest, TokenPairResponse } from '@platform/api';
import { ADMIN_ROLE, tokenKindOf } from '@platform/auth';
import { UserRegistered } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DomainError, isUniqueViolation } from '@platform/service-kit';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { UserServiceConfig } from '../config/user-service.config';
import { UserEntity } from '../users/user.entity';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenEntity } from './refresh-token.entity';
import { hashRefreshToken, TokenIssuer } from './token-issuer';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class AuthService {
  private readonly adminEmails: Set<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenIssuer,
    config: UserServiceConfig,
  ) {
    this.adminEmails = new Set(config.ADMIN_EMAILS.map(normalizeEmail));
  }

  rolesFor(email: string): string[] {
    return this.adminEmails.has(email) ? ['user', ADMIN_ROLE] : ['user'];
  }

  async register(request: RegisterRequest): Promise<UserEntity> {
    const email = normalizeEmail(request.email);
    const now = new Date();
    const user = Object.assign(new UserEntity(), {
      id: randomUUID(),
      email,
      displayName: request.displayName,
      passwordHash: await this.hasher.hash(request.password),
      roles: this.rolesFor(email),
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(UserEntity, user);
        await this.outbox.add(manager, UserRegistered, {
          userId: user.id,
          email: user.email,
          displayName: user.displayName,
          registeredAt: now.toISOString(),
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'USER.EMAIL_TAKEN', 'An account with this email already exists.');
      }
      throw error;
    }
    return user;
  }

  /** Same answer, and about the same time, for an unknown email and a wrong password. */
  async login(request: LoginRequest): Promise<TokenPairResponse> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ email: normalizeEmail(request.email) });
    const valid = await this.hasher.verify(user?.passwordHash, request.password);
    if (!user || !valid) throw AuthService.invalidCredentials();
    const roles = this.rolesFor(user.email);
    if (roles.join() !== user.roles.join()) {
      await this.dataSource.getRepository(UserEntity).update({ id: user.id }, { roles });
    }
    const refreshToken = await this.startFamily(this.dataSource.manager, user.id);
    return this.tokens.pair({ id: user.id, roles }, refreshToken);
  }

  /** Rotates a refresh token. Presenting one that was already rotated revokes its whole family. */
  async refresh(presented: string): Promise<TokenPairResponse> {
    if (tokenKindOf(presented) !== 'refresh') throw AuthService.invalidRefreshToken();
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await this.lockToken(manager, presented);
      const now = new Date();
      if (!token || token.revokedAt || token.expiresAt <= now) return { kind: 'invalid' as const };
      if (token.usedAt) {
        await this.revokeFamily(manager, token.familyId, now);
        return { kind: 'reused' as const };
      }
      const user = await manager.findOneBy(UserEntity, { id: token.userId });
      if (!user) return { kind: 'invalid' as const };
      await manager.update(RefreshTokenEntity, { id: token.id }, { usedAt: now });
      const refreshToken = await this.issueInFamily(manager, user.id, token.familyId);
      return { kind: 'rotated' as const, user, refreshToken };
    });
    if (outcome.kind !== 'rotated') throw AuthService.invalidRefreshToken();
    return this.tokens.pair({ id: outcome.user.id, roles: this.rolesFor(outcome.user.email) }, outcome.refreshToken);
  }

  /** Ends the session the refresh token belongs to (its whole family). */
  async logout(presented: string): Promise<void> {
    if (tokenKindOf(presented) !== 'refresh') throw AuthService.invalidRefreshToken();
    const revoked = await this.dataSource.transaction(async (manager) => {
      const token = await this.lockToken(manager, presented);
      if (!token || token.revokedAt || token.expiresAt <= new Date()) return false;
      await this.revokeFamily(manager, token.familyId, new Date());
      return true;
    });
    if (!revoked) throw AuthService.invalidRefreshToken();
  }

  private lockToken(manager: EntityManager, presented: string): Promise<RefreshTokenEntity | null> {
    return manager.findOne(RefreshTokenEntity, { where: { tokenHash: hashRefreshToken(presented) }, lock: { mode: 'pessimistic_write' } });
  }

  private async revokeFamily(manager: EntityManager, familyId: string, now: Date): Promise<void> {
    await manager.update(RefreshTokenEntity, { familyId, revokedAt: IsNull() }, { revokedAt: now });
  }

  private startFamily(manager: EntityManager, userId: string): Promise<string> {
    return this.issueInFamily(manager, userId, randomUUID());
  }

  private async issueInFamily(manager: EntityManager, userId: string, familyId: string): Promise<string> {
    const token = this.tokens.refreshToken();
    const now = new Date();
    await manager.insert(RefreshTokenEntity, {
      id: randomUUID(),
      userId,
      familyId,
      tokenHash: hashRefreshToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.tokens.refreshTokenTtlMs),
      usedAt: null,
      revokedAt: null,
    });
    return token;
  }

  private static invalidCredentials(): DomainError {
    return new DomainError('unauthenticated', 'AUTH.INVALID_CREDENTIALS', 'The email or password is not correct.');
  }

  private static invalidRefreshToken(): DomainError {
    return new DomainError('unauthenticated', 'AUTH.INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or revoked.');
  }
}
