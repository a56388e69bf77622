import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.ts';

/** The typed client of the public API: every path, parameter, body and answer of docs/openapi.json. */
export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** The gateway's origin, e.g. `https://api.example.com` (the paths carry `/api/v1`). */
  baseUrl: string;
  /** Another fetch (a test's, a framework's); the global one by default. */
  fetch?: typeof fetch;
}

/**
 * A client for the whole API, typed from the committed OpenAPI document by openapi-typescript and
 * calling it with openapi-fetch:
 *
 *     const api = createApiClient({ baseUrl: 'https://api.example.com' });
 *     const { data, error } = await api.GET('/api/v1/orders/{id}', { params: { path: { id } }, headers: bearer(token) });
 *
 * `data` is the typed answer of a 2xx, `error` the problem+json of anything else.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  return createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: options.fetch });
}

/** The `Authorization` header of an access token, for an operation's `headers`. */
export function bearer(accessToken: string): { authorization: string } {
  return { authorization: `Bearer ${accessToken}` };
}
