import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, ApiResponse } from './api-client.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Sends a setup request until the gateway admits it. A 503 with Retry-After is the gateway
 * shedding load (a burst of password hashes on a busy machine, say): the request was never served,
 * so a client waits as told and sends it again. Only setup waits; what a suite tests it calls
 * directly and sees as it is.
 */
async function admitted(send: () => Promise<ApiResponse>, attempts = 5): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    const retryAfter = response.headers.get('retry-after');
    if (response.status !== 503 || retryAfter === null || attempt >= attempts) return response;
    await sleep(Math.min(Number(retryAfter) || 1, 5) * 1000);
  }
}

/** Registers a new user through the gateway and logs in. Throws with the answer if either step fails. */
export async function registerUser(api: ApiClient, overrides: { email?: string; displayName?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@e2e.example.com`;
  const password = `pw-${randomUUID()}`;
  const displayName = overrides.displayName ?? 'E2E User';
  const registered = await admitted(() => api.post('/auth/register', { email, password, displayName }));
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${registered.text}`);
  const login = await admitted(() => api.post('/auth/login', { email, password }));
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${login.text}`);
  return { id: registered.body.id, email: registered.body.email, password, displayName, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}
