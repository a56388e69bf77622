import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and the OWASP parameters', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hash).not.toContain('correct horse');
  });

  it('verifies the right password only, and survives garbage hashes', async () => {
    const hash = await hasher.hash('s3cret-password');
    await expect(hasher.verify(hash, 's3cret-password')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'S3cret-password')).resolves.toBe(false);
    await expect(hasher.verify('not-a-hash', 's3cret-password')).resolves.toBe(false);
  });

  it('spends the same work on an unknown user (decoy hash) and says no', async () => {
    await expect(hasher.verify(undefined, 'whatever')).resolves.toBe(false);
  });
});
