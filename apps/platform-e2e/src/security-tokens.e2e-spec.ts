import { createHmac, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ACCESS_TOKEN } from '@platform/auth';
import { generateSigningKeys, sleep, type ServiceName } from '@platform/local-platform';
import { expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';
import { importJWK, SignJWT, type JWK } from 'jose';

const ISSUER = 'platform-user-service';
const AUDIENCE = 'platform-api';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens: only genuine ones get in, anywhere', () => {
  let platform: TestPlatform;
  let user: TestUser;
  let signingKey: JWK;

  beforeAll(async () => {
    platform = await TestPlatform.start('security-tokens');
    user = await registerUser(platform.api);
    signingKey = (JSON.parse(platform.platform.wiring.signingKeys) as { keys: JWK[] }).keys[0];
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function sign(overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: JWK; exp?: number; iss?: string; aud?: string } = {}) {
    const key = overrides.key ?? signingKey;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: ['user'], ...overrides.claims })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, ...overrides.header } as never)
      .setSubject(user.id)
      .setIssuer(overrides.iss ?? ISSUER)
      .setAudience(overrides.aud ?? AUDIENCE)
      .setIssuedAt(now - 60)
      .setExpirationTime(overrides.exp ?? now + 600)
      .sign(await importJWK(key, 'EdDSA'));
  }

  async function forgeries(): Promise<Record<string, string>> {
    const good = await sign();
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const publicJwk = { kty: signingKey.kty, crv: signingKey.crv, x: signingKey.x };
    const hs256 = (secret: string | Buffer) => {
      const head = b64({ alg: 'HS256', typ: 'at+jwt', kid: signingKey.kid });
      return `${head}.${payload}.${createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url')}`;
    };
    const attacker = JSON.parse(generateSigningKeys()).keys[0] as JWK;
    return {
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt', kid: signingKey.kid })}.${payload}.`,
      'a changed payload (admin role added)': `${header}.${b64({ ...claims, roles: ['user', 'admin'] })}.${signature}`,
      'the signature removed': `${header}.${payload}.`,
      'HS256 keyed with the public JWK': hs256(JSON.stringify(publicJwk)),
      'HS256 keyed with the raw public key': hs256(Buffer.from(signingKey.x as string, 'base64url')),
      'an expired token': await sign({ exp: Math.floor(Date.now() / 1000) - 30 }),
      'the wrong audience': await sign({ aud: 'some-other-api' }),
      'the wrong issuer': await sign({ iss: 'https://evil.example.com' }),
      'typ JWT instead of at+jwt': await sign({ header: { typ: 'JWT' } }),
      'a key we never published': await sign({ key: attacker }),
      'a refresh token used as an access token': user.refreshToken,
      'garbage': 'not-a-token',
    };
  }

  it('accepts the genuine token everywhere (the control case)', async () => {
    expect((await platform.api.get('/users/me', { token: await sign() })).status).toBe(200);
    for (const [service, path] of [['order-service', '/api/v1/orders'], ['notification-service', '/api/v1/notifications']] as const) {
      expect((await fetch(`${platform.url(service)}${path}`, { headers: { authorization: `Bearer ${await sign()}` } })).status).toBe(200);
    }
  });

  it('refuses every forged or misused token with 401, at the gateway and at each service directly', async () => {
    const targets: [ServiceName, string][] = [
      ['gateway', '/api/v1/users/me'],
      ['user-service', '/api/v1/users/me'],
      ['order-service', '/api/v1/orders'],
      ['notification-service', '/api/v1/notifications'],
    ];
    const accepted: string[] = [];
    for (const [name, token] of Object.entries(await forgeries())) {
      for (const [service, path] of targets) {
        const response = await fetch(`${platform.url(service)}${path}`, { headers: { authorization: `Bearer ${token}` } });
        if (response.status !== 401) accepted.push(`${name} → ${service} answered ${response.status}`);
        else expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses an access token where a refresh token is expected with the same 401 as any invalid refresh token, at the gateway and at user-service', async () => {
    const mismatches: string[] = [];
    const shape = async (response: Response) => {
      const { traceId, requestId, ...problem } = (await response.json()) as Record<string, unknown>;
      return { status: response.status, contentType: response.headers.get('content-type'), problem, traceId: typeof traceId, requestId: typeof requestId };
    };
    for (const service of ['gateway', 'user-service'] as const) {
      for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
        const post = (refreshToken: string) => fetch(`${platform.url(service)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
        const unknownRefreshToken = await shape(await post(`rt_${'A'.repeat(43)}`));
        expect(unknownRefreshToken).toEqual(expect.objectContaining({ status: 401, contentType: expect.stringMatching(/^application\/problem\+json/), traceId: 'string' }));
        for (const [kind, token] of [['an access token', user.accessToken], ['a freshly signed access token', await sign()]]) {
          const answer = await shape(await post(token));
          if (!isDeepStrictEqual(answer, unknownRefreshToken)) mismatches.push(`${kind} → ${service} ${path}: ${JSON.stringify(answer)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // The session the access token belongs to is untouched: its refresh token still rotates.
    expect((await platform.api.post('/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(200);
  });

  it('never trusts identity headers: a forged X-User-Id does not make anyone someone else', async () => {
    const other = await registerUser(platform.api);
    const response = await platform.api.get('/users/me', { token: user.accessToken, headers: { 'x-user-id': other.id, 'x-user-roles': 'admin' } });
    expect(response.body.id).toBe(user.id);
    expectProblem(await platform.api.get('/users/me', { headers: { 'x-user-id': other.id } }), 401);
  });

  it('rotates the signing key without logging anyone out', async () => {
    const before = await registerUser(platform.api);
    const oldKeys = JSON.parse(platform.platform.wiring.signingKeys) as { keys: JWK[] };
    const { privateKey } = generateKeyPairSync('ed25519');
    const newKey = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'rotated-key', alg: 'EdDSA', use: 'sig' };

    const deploy = async (keys: JWK[]) => {
      platform.platform.setServiceEnv('user-service', { JWT_SIGNING_KEYS: JSON.stringify({ keys }) });
      await platform.platform.stopService('user-service');
      await platform.platform.startService('user-service');
    };

    // Step 1: publish the new key next to the old one, which still signs.
    await deploy([...oldKeys.keys, newKey]);
    expect((await platform.api.get('/users/me', { token: before.accessToken })).status).toBe(200);
    // Step 2, once verifiers may refetch the key set: the new key signs, the old one stays published.
    await sleep(ACCESS_TOKEN.jwksCooldownSeconds * 1000 + 500);
    await deploy([newKey, ...oldKeys.keys]);

    expect((await platform.api.get('/users/me', { token: before.accessToken })).status).toBe(200);
    expect((await platform.api.get('/orders', { token: before.accessToken })).status).toBe(200);
    const after = await platform.api.post('/auth/login', { email: before.email, password: before.password });
    expect(JSON.parse(Buffer.from(after.body.accessToken.split('.')[0], 'base64url').toString()).kid).toBe('rotated-key');
    for (const path of ['/users/me', '/orders', '/notifications']) {
      expect({ path, status: (await platform.api.get(path, { token: after.body.accessToken })).status }).toEqual({ path, status: 200 });
    }
    const jwks = (await fetch(`${platform.url('gateway')}/.well-known/jwks.json`).then((response) => response.json())) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(['rotated-key', oldKeys.keys[0].kid]);
  });

  it('writes no password and no token to any log', async () => {
    // A full session: register, login, refresh, use, logout; then read every log file of the run.
    const secretive = await registerUser(platform.api);
    const refreshed = await platform.api.post('/auth/refresh', { refreshToken: secretive.refreshToken });
    await platform.api.get('/users/me', { token: refreshed.body.accessToken });
    await platform.api.post('/auth/login', { email: secretive.email, password: 'wrong-password-123' });
    await platform.api.post('/auth/logout', { refreshToken: refreshed.body.refreshToken });
    await platform.api.get('/users/me', { token: 'Bearer-but-bogus-token-value' });
    await new Promise((resolve) => setTimeout(resolve, 500));

    const secrets = [secretive.password, 'wrong-password-123', secretive.accessToken, secretive.refreshToken, refreshed.body.accessToken, refreshed.body.refreshToken, 'Bearer-but-bogus-token-value', user.password, user.accessToken];
    const logs = readdirSync(platform.workDir).filter((file) => file.endsWith('.log') && file !== 'kafka.log');
    const text = logs.map((file) => readFileSync(join(platform.workDir, file), 'utf8')).join('\n');
    expect(text.length).toBeGreaterThan(10_000);
    expect(text).toContain('"route":"/api/v1/auth/refresh"'); // these are the logs of the requests above
    expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
  });
});
