import { randomUUID } from 'node:crypto';
import type { ApiClient as TypedApiClient } from '@platform/api-client';
import type { Middleware } from 'openapi-fetch';
import { admitted } from './admitted.ts';
import { ContractViolation, type ApiResponse } from './api-client.ts';
import type { OpenApiContract } from './openapi-contract.ts';
import type { TestUser } from './users.ts';

/** A contract check on every answer a typed client receives, and how many it checked (a suite can assert it ran). */
export interface ContractCheck {
  checked: number;
  onResponse(params: { request: Request; response: Response }): Promise<undefined>;
}

/**
 * Makes every answer of the typed client (`@platform/api-client`) pass the served OpenAPI document:
 * `client.use(checkAnswersAgainst(contract))`; an answer the document does not describe makes the
 * call throw ContractViolation.
 */
export function checkAnswersAgainst(contract: OpenApiContract): ContractCheck & Middleware {
  const check: ContractCheck = {
    checked: 0,
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      const contentType = response.headers.get('content-type');
      const body = text && /json/.test(contentType ?? '') ? (JSON.parse(text) as unknown) : undefined;
      const violations = contract.responseViolations(request.method, request.url, { status: response.status, contentType, body, text });
      if (violations.length > 0) throw new ContractViolation(violations);
      check.checked++;
      return undefined;
    },
  };
  return check;
}

/**
 * An openapi-fetch result as the harness's assertions read answers (`expectProblem`, status, body,
 * headers): the body is `data` for a 2xx, the problem otherwise.
 */
export function answerOf(result: { data?: unknown; error?: unknown; response: Response }): ApiResponse {
  const body = result.data ?? result.error;
  return { status: result.response.status, headers: result.response.headers, body, text: body === undefined || body === '' ? '' : JSON.stringify(body) };
}

/** Registers a new user and logs in, through the typed client (each waiting out a shed, see `admitted`). Throws with the answer if either step fails. */
export async function signUp(api: TypedApiClient, overrides: { email?: string; displayName?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@e2e.example.com`;
  const password = `pw-${randomUUID()}`;
  const displayName = overrides.displayName ?? 'E2E User';
  const registered = await admitted(() => api.POST('/api/v1/auth/register', { body: { email, password, displayName } }), (result) => result.response);
  if (!registered.data) throw new Error(`register answered ${registered.response.status}: ${JSON.stringify(registered.error)}`);
  const login = await admitted(() => api.POST('/api/v1/auth/login', { body: { email, password } }), (result) => result.response);
  if (!login.data) throw new Error(`login answered ${login.response.status}: ${JSON.stringify(login.error)}`);
  return { id: registered.data.id, email: registered.data.email, password, displayName, accessToken: login.data.accessToken, refreshToken: login.data.refreshToken };
}
