import { randomUUID } from 'node:crypto';
import { admitted } from './admitted.ts';
import type { ApiClient } from './api-client.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a new user through the gateway and logs in (each waiting out a shed, see `admitted`). Throws with the answer if either step fails. */
export async function registerUser(api: ApiClient, overrides: { email?: string; displayName?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@e2e.example.com`;
  const password = `pw-${randomUUID()}`;
  const displayName = overrides.displayName ?? 'E2E User';
  const registered = await admitted(() => api.post('/auth/register', { email, password, displayName }), (answer) => answer);
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${registered.text}`);
  const login = await admitted(() => api.post('/auth/login', { email, password }), (answer) => answer);
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${login.text}`);
  return { id: registered.body.id, email: registered.body.email, password, displayName, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}
