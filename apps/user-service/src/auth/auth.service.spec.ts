import { Test } from '@nestjs/testing';
import { Outbox } from '@platform/messaging';
import { DataSource } from 'typeorm';
import { UserServiceConfig } from '../config/user-service.config';
import { UserEntity } from '../users/user.entity';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenEntity } from './refresh-token.entity';
import { TokenIssuer } from './token-issuer';

/** A string of the refresh-token shape (REFRESH_TOKEN.pattern). */
const refreshTokenLike = (seed: string) => `rt_${seed.padEnd(43, 'A')}`;

describe('AuthService', () => {
  let service: AuthService;
  let storedUser: UserEntity | null;
  let storedToken: Partial<RefreshTokenEntity> | null;
  const hasher = { verify: jest.fn(), hash: jest.fn(async () => 'hash') };
  const tokens = { pair: jest.fn(async () => ({ accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', expiresIn: 900 })), refreshToken: () => 'rt_new', refreshTokenTtlMs: 1000 };
  const manager = {
    findOne: jest.fn(async () => storedToken),
    findOneBy: jest.fn(async () => storedUser),
    update: jest.fn(),
    insert: jest.fn(),
  };

  beforeEach(async () => {
    storedUser = Object.assign(new UserEntity(), { id: 'u-1', email: 'ada@example.com', passwordHash: 'h', roles: ['user'] });
    storedToken = null;
    const config = Object.assign(new UserServiceConfig(), { ADMIN_EMAILS: ['Root@Example.com'] });
    const moduleRef = await Test.createTestingModule({
      providers: [
        AuthService,
        { provide: UserServiceConfig, useValue: config },
        { provide: PasswordHasher, useValue: hasher },
        { provide: TokenIssuer, useValue: tokens },
        { provide: Outbox, useValue: { add: jest.fn() } },
        {
          provide: DataSource,
          useValue: { transaction: (work: (m: typeof manager) => unknown) => work(manager), manager, getRepository: () => ({ findOneBy: async () => storedUser, update: jest.fn() }) },
        },
      ],
    }).compile();
    service = moduleRef.get(AuthService);
  });

  it('gives the admin role to ADMIN_EMAILS, whatever their case', () => {
    expect(service.rolesFor('root@example.com')).toEqual(['user', 'admin']);
    expect(service.rolesFor('ada@example.com')).toEqual(['user']);
  });

  it('answers an unknown email and a wrong password with the same error, after the same work', async () => {
    hasher.verify.mockResolvedValue(false);
    const wrongPassword = await service.login({ email: 'ada@example.com', password: 'nope' }).catch((error) => error);
    storedUser = null;
    const unknownEmail = await service.login({ email: 'who@example.com', password: 'nope' }).catch((error) => error);

    expect(wrongPassword).toMatchObject({ kind: 'unauthenticated', code: 'AUTH.INVALID_CREDENTIALS' });
    expect(unknownEmail).toMatchObject({ kind: 'unauthenticated', code: 'AUTH.INVALID_CREDENTIALS', message: wrongPassword.message });
    expect(hasher.verify).toHaveBeenCalledTimes(2);
    expect(hasher.verify).toHaveBeenLastCalledWith(undefined, 'nope');
  });

  it('revokes the whole family when a rotated refresh token comes back, and issues nothing', async () => {
    storedToken = { id: 't-1', familyId: 'f-1', userId: 'u-1', usedAt: new Date(), revokedAt: null, expiresAt: new Date(Date.now() + 60_000) };

    await expect(service.refresh(refreshTokenLike('old'))).rejects.toMatchObject({ code: 'AUTH.INVALID_REFRESH_TOKEN' });
    expect(manager.update).toHaveBeenCalledWith(RefreshTokenEntity, expect.objectContaining({ familyId: 'f-1' }), { revokedAt: expect.any(Date) });
    expect(manager.insert).not.toHaveBeenCalled();
    expect(tokens.pair).not.toHaveBeenCalled();
  });

  it('rotates a fresh refresh token within its family', async () => {
    storedToken = { id: 't-1', familyId: 'f-1', userId: 'u-1', usedAt: null, revokedAt: null, expiresAt: new Date(Date.now() + 60_000) };

    await service.refresh(refreshTokenLike('current'));

    expect(manager.update).toHaveBeenCalledWith(RefreshTokenEntity, { id: 't-1' }, { usedAt: expect.any(Date) });
    expect(manager.insert).toHaveBeenCalledWith(RefreshTokenEntity, expect.objectContaining({ familyId: 'f-1', userId: 'u-1', usedAt: null }));
  });

  it('refuses an access token (or anything but a refresh token) as an invalid refresh token, before looking anything up', async () => {
    storedToken = { id: 't-1', familyId: 'f-1', userId: 'u-1', usedAt: null, revokedAt: null, expiresAt: new Date(Date.now() + 60_000) };
    const accessToken = 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl';
    await expect(service.refresh(accessToken)).rejects.toMatchObject({ kind: 'unauthenticated', code: 'AUTH.INVALID_REFRESH_TOKEN' });
    await expect(service.logout(accessToken)).rejects.toMatchObject({ kind: 'unauthenticated', code: 'AUTH.INVALID_REFRESH_TOKEN' });
    expect(manager.update).not.toHaveBeenCalled();
  });

  it.each([
    ['expired', { expiresAt: new Date(Date.now() - 1) }],
    ['revoked', { revokedAt: new Date() }],
  ])('refuses an %s refresh token', async (_, state) => {
    storedToken = { id: 't-1', familyId: 'f-1', userId: 'u-1', usedAt: null, revokedAt: null, expiresAt: new Date(Date.now() + 60_000), ...state };
    await expect(service.refresh(refreshTokenLike('x'))).rejects.toMatchObject({ code: 'AUTH.INVALID_REFRESH_TOKEN' });
    expect(manager.insert).not.toHaveBeenCalled();
  });
});
