import { Test } from '@nestjs/testing';
import { erasureHash } from './erasure';
import { ErasedRecipientEntity, RecipientEntity } from './recipient.entity';
import { RecipientsService } from './recipients.service';

describe('RecipientsService', () => {
  let service: RecipientsService;
  let steps: string[];
  const erased = new Set<string>();
  const manager = {
    existsBy: jest.fn(async (_entity: unknown, where: { userIdHash: string }) => erased.has(where.userIdHash)),
    upsert: jest.fn(async (entity: unknown, row: { userIdHash?: string }) => {
      steps.push(entity === ErasedRecipientEntity ? 'remember the hash' : 'keep the address');
      if (row.userIdHash) erased.add(row.userIdHash);
    }),
    delete: jest.fn(async () => steps.push('delete the address')),
  };
  const profile = { userId: 'u-1', email: 'ada@example.com', displayName: 'Ada' };

  beforeEach(async () => {
    jest.clearAllMocks();
    erased.clear();
    steps = [];
    service = (await Test.createTestingModule({ providers: [RecipientsService] }).compile()).get(RecipientsService);
  });

  it('keeps the address of a user', async () => {
    await expect(service.remember(manager as never, profile)).resolves.toBe(true);
    expect(manager.upsert).toHaveBeenCalledWith(RecipientEntity, expect.objectContaining(profile), ['userId']);
  });

  it('erases a user: every feature forgets its part first, the address goes, and only a hash of the id stays', async () => {
    service.onErased(async (_manager, userId) => void steps.push(`preferences forget ${userId}`));
    service.onErased(async (_manager, userId) => void steps.push(`notifications forget ${userId}`));
    await service.erase(manager as never, 'u-1');
    expect(steps).toEqual(['preferences forget u-1', 'notifications forget u-1', 'delete the address', 'remember the hash']);
    expect(manager.upsert).toHaveBeenCalledWith(ErasedRecipientEntity, { userIdHash: erasureHash('u-1'), erasedAt: expect.any(Date) }, ['userIdHash']);
    expect(JSON.stringify(manager.upsert.mock.calls)).not.toContain('u-1');
  });

  it('then says the user is erased, and keeps nothing new about them (a late event)', async () => {
    await service.erase(manager as never, 'u-1');
    await expect(service.isErased(manager as never, 'u-1')).resolves.toBe(true);
    await expect(service.isErased(manager as never, 'u-2')).resolves.toBe(false);
    manager.upsert.mockClear();
    await expect(service.remember(manager as never, profile)).resolves.toBe(false);
    expect(manager.upsert).not.toHaveBeenCalled();
  });
});
