import { generateKeyPairSync, createHmac } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { ACCESS_TOKEN } from './access-token';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

const issuer = 'platform-user-service';
const audience = 'platform-api';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as JWK;
  return { privateKey, publicJwk };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenVerifier', () => {
  let signer: Awaited<ReturnType<typeof keyPair>>;
  let verifier: TokenVerifier;

  const sign = (overrides: { typ?: string; aud?: string; iss?: string; exp?: string | number; roles?: string[]; kid?: string } = {}) =>
    new SignJWT({ roles: overrides.roles ?? ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: overrides.typ ?? 'at+jwt', kid: overrides.kid ?? 'k1' })
      .setSubject('6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11')
      .setIssuer(overrides.iss ?? issuer)
      .setAudience(overrides.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(overrides.exp ?? '15m')
      .sign(signer.privateKey);

  beforeAll(async () => {
    signer = await keyPair('k1');
    verifier = new TokenVerifier({ issuer, audience, jwks: { keys: [signer.publicJwk] } });
  });

  it('accepts a good token and reads the caller from it', async () => {
    await expect(verifier.verify(await sign({ roles: ['user', 'admin'] }))).resolves.toEqual({ id: '6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11', roles: ['user', 'admin'], expiresAt: expect.any(Date) });
  });

  it.each([
    ['the wrong audience', { aud: 'another-api' }],
    ['the wrong issuer', { iss: 'someone-else' }],
    ['a plain JWT type (e.g. an id token)', { typ: 'JWT' }],
    ['a lifetime beyond 15 minutes', { exp: '2h' }],
    ['an unknown key id', { kid: 'k-unknown' }],
  ])('refuses a token with %s', async (_, overrides) => {
    await expect(verifier.verify(await sign(overrides))).rejects.toThrow(InvalidTokenError);
  });

  it('refuses an expired token', async () => {
    await expect(verifier.verify(await sign({ exp: Math.floor(Date.now() / 1000) - 60 }))).rejects.toThrow(InvalidTokenError);
  });

  it('refuses alg "none", a changed payload, a removed signature and HS256 made with the public key', async () => {
    const good = await sign();
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${payload}.`;
    const tampered = `${header}.${b64({ ...claims, roles: ['user', 'admin'] })}.${signature}`;
    const unsigned = `${header}.${payload}.`;
    const hsHeader = b64({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' });
    const hs256 = `${hsHeader}.${payload}.${createHmac('sha256', JSON.stringify(signer.publicJwk)).update(`${hsHeader}.${payload}`).digest('base64url')}`;

    for (const forged of [none, tampered, unsigned, hs256, 'not.a.jwt', '']) {
      await expect(verifier.verify(forged)).rejects.toThrow(InvalidTokenError);
    }
  });

  describe('remembering verified tokens', () => {
    const counting = (options: { cacheSize?: number; now?: () => number } = {}) => {
      let lookups = 0;
      const keys = { keys: [signer.publicJwk] };
      const tracked = new TokenVerifier({ issuer, audience, jwks: keys, ...options });
      // Count signature verifications through the key lookup jose does for each one.
      const lookup = (tracked as unknown as { keys: (...args: unknown[]) => unknown }).keys;
      (tracked as unknown as { keys: unknown }).keys = (...args: unknown[]) => {
        lookups++;
        return lookup(...args);
      };
      return { verifier: tracked, lookups: () => lookups };
    };

    it('verifies a token once and answers the same caller from memory until it expires', async () => {
      let now = Date.now();
      const { verifier: cached, lookups } = counting({ now: () => now });
      const token = await sign({ exp: Math.floor(now / 1000) + 60, roles: ['user', 'admin'] });
      for (let i = 0; i < 5; i++) await expect(cached.verify(token)).resolves.toEqual({ id: '6f1c1f0e-8a4e-4b8e-9a57-2c1b7f1e0d11', roles: ['user', 'admin'], expiresAt: new Date((Math.floor(now / 1000) + 60) * 1000) });
      expect(lookups()).toBe(1);
      now += 60_000 + (ACCESS_TOKEN.clockToleranceSeconds + 1) * 1000;
      await expect(cached.verify(token)).rejects.toThrow(InvalidTokenError);
      expect(lookups()).toBe(2);
    });

    it('never remembers a token that failed', async () => {
      const { verifier: cached, lookups } = counting();
      const wrongAudience = await sign({ aud: 'another-api' });
      for (let i = 0; i < 3; i++) await expect(cached.verify(wrongAudience)).rejects.toThrow(InvalidTokenError);
      expect(lookups()).toBe(3);
    });

    it('keeps at most cacheSize tokens, the least recently used going first', async () => {
      const { verifier: cached, lookups } = counting({ cacheSize: 2 });
      const [a, b, c] = await Promise.all([sign({ roles: ['a'] }), sign({ roles: ['b'] }), sign({ roles: ['c'] })]);
      await cached.verify(a);
      await cached.verify(b);
      await cached.verify(a); // a is now the most recent
      await cached.verify(c); // pushes b out
      expect(lookups()).toBe(3);
      await cached.verify(a);
      expect(lookups()).toBe(3);
      await cached.verify(b);
      expect(lookups()).toBe(4);
    });

    it('verifies every time with cacheSize 0', async () => {
      const { verifier: uncached, lookups } = counting({ cacheSize: 0 });
      const token = await sign();
      await uncached.verify(token);
      await uncached.verify(token);
      expect(lookups()).toBe(2);
    });
  });
});
