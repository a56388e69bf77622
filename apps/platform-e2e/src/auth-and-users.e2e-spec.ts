import { randomBytes, randomUUID } from 'node:crypto';
import { bearer } from '@platform/api-client';
import { ADMIN_EMAIL, answerOf, checkAnswersAgainst, eventually, expectProblem, OpenApiContract, signUp, TestPlatform, type ContractCheck } from '@platform/testing';

// The client's journey through the gateway, made with the typed client of @platform/api-client
// (generated from docs/openapi.json), as an API client would; bodies the contract forbids are cast
// past the compiler on purpose (`as never`).
describe('accounts through the gateway: register, login, tokens, profile', () => {
  let platform: TestPlatform;
  let contractCheck: ContractCheck;

  beforeAll(async () => {
    platform = await TestPlatform.start('auth-and-users');
    // Every answer this suite receives must be one the served OpenAPI document describes.
    contractCheck = checkAnswersAgainst(await OpenApiContract.load(platform.url('gateway')));
    platform.client.use(contractCheck);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const api = () => platform.client;
  const profileOf = async (token: string) => answerOf(await api().GET('/api/v1/users/me', { headers: bearer(token) }));

  it('registers a user, stores the email lower-cased and never returns the password', async () => {
    const email = `Mixed.Case-${randomUUID()}@E2E.example.com`;
    const response = answerOf(await api().POST('/api/v1/auth/register', { body: { email, password: 'a long password', displayName: '  Grace Hopper ' } }));

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: email.toLowerCase(),
      displayName: 'Grace Hopper',
      roles: ['user'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(response.text).not.toContain('a long password');
    const [row] = await platform.queryAs('user-service', 'SELECT email, password_hash FROM users WHERE id = $1', [response.body.id]);
    expect(row.email).toBe(email.toLowerCase());
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses a second account for the same email in another case with 409', async () => {
    const email = `taken-${randomUUID()}@e2e.example.com`;
    expect((await api().POST('/api/v1/auth/register', { body: { email, password: 'password-1', displayName: 'First' } })).response.status).toBe(201);

    const again = answerOf(await api().POST('/api/v1/auth/register', { body: { email: email.toUpperCase(), password: 'password-2', displayName: 'Second' } }));

    expectProblem(again, 409, 'USER.EMAIL_TAKEN');
  });

  it('answers invalid registrations with 400 problem+json naming each field', async () => {
    const response = answerOf(await api().POST('/api/v1/auth/register', { body: { email: 'not-an-email', password: 'short', displayName: '' } }));

    expectProblem(response, 400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['displayName', 'email', 'password']);
  });

  it('refuses unknown fields instead of storing them (no mass assignment)', async () => {
    const response = answerOf(await api().POST('/api/v1/auth/register', { body: { email: `x-${randomUUID()}@e2e.example.com`, password: 'password-1', displayName: 'X', roles: ['admin'] } as never }));

    expectProblem(response, 400);
    expect(response.body.errors).toContainEqual({ field: 'roles', message: expect.stringContaining('should not exist') });
  });

  it('gives the admin role to ADMIN_EMAILS and to nobody else', async () => {
    const admin = await signUp(api(), { email: ADMIN_EMAIL.toUpperCase() });
    const user = await signUp(api());

    expect((await profileOf(admin.accessToken)).body.roles).toEqual(['user', 'admin']);
    expect((await profileOf(user.accessToken)).body.roles).toEqual(['user']);
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const user = await signUp(api());

    const wrongPassword = answerOf(await api().POST('/api/v1/auth/login', { body: { email: user.email, password: 'not the password' } }));
    const unknownEmail = answerOf(await api().POST('/api/v1/auth/login', { body: { email: `nobody-${randomUUID()}@e2e.example.com`, password: 'not the password' } }));

    expectProblem(wrongPassword, 401, 'AUTH.INVALID_CREDENTIALS');
    expectProblem(unknownEmail, 401, 'AUTH.INVALID_CREDENTIALS');
    const comparable = ({ body }: { body: object }) => ({ ...body, requestId: undefined, traceId: undefined });
    expect(comparable(unknownEmail)).toEqual(comparable(wrongPassword));
  });

  it('issues an EdDSA access token with kid that verifies against the published JWKS', async () => {
    const user = await signUp(api());
    const [header, payload] = user.accessToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    const { data: jwks } = await api().GET('/.well-known/jwks.json');

    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toEqual(expect.objectContaining({ sub: user.id, aud: 'platform-api', iss: 'platform-user-service', roles: ['user'] }));
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(900);
    expect(jwks!.keys).toContainEqual(expect.objectContaining({ kid: header.kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' }));
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
  });

  it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
    const user = await signUp(api());
    const refresh = async (refreshToken: string) => answerOf(await api().POST('/api/v1/auth/refresh', { body: { refreshToken } }));

    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    expect(first.body.refreshToken).not.toBe(user.refreshToken);

    expectProblem(await refresh(user.refreshToken), 401, 'AUTH.INVALID_REFRESH_TOKEN');
    expectProblem(await refresh(first.body.refreshToken), 401, 'AUTH.INVALID_REFRESH_TOKEN');
  });

  it('logs out: 204, and the refresh token stops working', async () => {
    const user = await signUp(api());
    const logout = async () => answerOf(await api().POST('/api/v1/auth/logout', { body: { refreshToken: user.refreshToken } }));

    expect((await logout()).status).toBe(204);
    expectProblem(answerOf(await api().POST('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })), 401);
    expectProblem(await logout(), 401);
  });

  it('reads and updates the profile, refusing read-only fields', async () => {
    const user = await signUp(api(), { displayName: 'Before' });

    const updated = answerOf(await api().PATCH('/api/v1/users/me', { headers: bearer(user.accessToken), body: { displayName: 'After' } }));
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual(expect.objectContaining({ id: user.id, displayName: 'After', email: user.email }));
    expect((await profileOf(user.accessToken)).body.displayName).toBe('After');

    const escalation = answerOf(await api().PATCH('/api/v1/users/me', { headers: bearer(user.accessToken), body: { displayName: 'X', roles: ['admin'], email: 'evil@example.com' } as never }));
    expectProblem(escalation, 400);
    expect((await profileOf(user.accessToken)).body).toEqual(expect.objectContaining({ roles: ['user'], email: user.email }));
  });

  it('asks for a token on protected routes, at the gateway and at the service itself', async () => {
    const atGateway = answerOf(await api().GET('/api/v1/users/me'));
    expectProblem(atGateway, 401, 'AUTH.UNAUTHENTICATED');
    expect(atGateway.headers.get('www-authenticate')).toBe('Bearer');

    // Straight to user-service, bypassing the gateway: the service checks the token too.
    const direct = await fetch(`${platform.url('user-service')}/api/v1/users/me`, { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(direct.status).toBe(401);
  });

  it('keeps a sane X-Request-Id and makes one up otherwise', async () => {
    const withRequestId = async (requestId?: string) => answerOf(await api().GET('/api/v1/users/me', { headers: requestId ? { 'x-request-id': requestId } : {} }));
    const kept = await withRequestId('trace-me-123');
    const made = await withRequestId();
    const refused = await withRequestId('bad id with spaces');

    expect(kept.headers.get('x-request-id')).toBe('trace-me-123');
    expect(kept.body).toEqual(expect.objectContaining({ requestId: 'trace-me-123' }));
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries one trace from the caller through the gateway to the service, with nothing exported', async () => {
    // This suite exports no spans: the trace ids come from the platform's own propagation.
    const user = await signUp(api());
    const logLine = (service: 'gateway' | 'order-service' | 'user-service', requestId: string) =>
      eventually(() => {
        const [line] = platform.requestLog(service, requestId);
        expect(line).toBeDefined();
        return line as { trace_id?: string; span_id?: string };
      }, 10_000);

    const callerTrace = randomBytes(16).toString('hex');
    const continued = answerOf(
      await api().GET('/api/v1/orders/{id}', { params: { path: { id: randomUUID() } }, headers: { ...bearer(user.accessToken), traceparent: `00-${callerTrace}-${randomBytes(8).toString('hex')}-01` } }),
    );
    expectProblem(continued, 404);
    expect(continued.body).toEqual(expect.objectContaining({ traceId: callerTrace }));
    const [atGateway, atService] = [await logLine('gateway', continued.headers.get('x-request-id')!), await logLine('order-service', continued.headers.get('x-request-id')!)];
    expect(atGateway.trace_id).toBe(callerTrace);
    expect(atService.trace_id).toBe(callerTrace);
    expect(atService.span_id).not.toBe(atGateway.span_id);

    // No trace from the caller: the gateway starts one, and the service continues it.
    const started = await profileOf(user.accessToken);
    const [first, second] = [await logLine('gateway', started.headers.get('x-request-id')!), await logLine('user-service', started.headers.get('x-request-id')!)];
    expect(first.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(second.trace_id).toBe(first.trace_id);
  });

  it('received only answers the served OpenAPI document describes (checked on each one)', async () => {
    expect(contractCheck.checked).toBeGreaterThan(10);
    // The check itself can fail: a profile with a field too many, a wrong type, or an undeclared status is drift.
    const contract = await OpenApiContract.load(platform.url('gateway'));
    const user = await signUp(api());
    const profile = (await profileOf(user.accessToken)).body;
    const url = `${platform.url('gateway')}/api/v1/users/me`;
    const check = (status: number, body: unknown) => contract.responseViolations('GET', url, { status, contentType: 'application/json; charset=utf-8', body, text: JSON.stringify(body) });
    expect(check(200, profile)).toEqual([]);
    expect(check(200, { ...profile, passwordHash: 'x' })).toEqual([expect.stringContaining('passwordHash')]);
    expect(check(200, { ...profile, roles: 'user' })).toEqual([expect.stringContaining('/roles must be array')]);
    expect(check(418, profile)).toEqual([expect.stringContaining('status not declared')]);
  });

});
