import type { OpenApiContract } from './openapi-contract.ts';

/** What a test sees of an HTTP answer. */
export interface ApiResponse<TBody = any> {
  status: number;
  headers: Headers;
  body: TBody;
  /** The raw text, for bodies that are not JSON. */
  text: string;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** A raw body, sent as is (for malformed-input tests). */
  rawBody?: string | Buffer;
}

/** An answer the served OpenAPI document does not describe. */
export class ContractViolation extends Error {
  readonly violations: string[];

  constructor(violations: string[]) {
    super(`the answer departs from the OpenAPI document:\n${violations.join('\n')}`);
    this.name = 'ContractViolation';
    this.violations = violations;
  }
}

/**
 * A small client for the public API: real HTTP, no retries, no magic. With a contract
 * (`checkAgainst`), every answer is validated against the served OpenAPI document and one that
 * departs from it fails the test, so the document and the code cannot drift apart.
 */
export class ApiClient {
  readonly baseUrl: string;
  private contract?: OpenApiContract;
  /** How many answers were checked against the contract (a suite can assert it really ran). */
  checkedAnswers = 0;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  checkAgainst(contract: OpenApiContract): this {
    this.contract = contract;
    return this;
  }

  get<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', path, body, options);
  }

  patch<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PATCH', path, body, options);
  }

  put<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PUT', path, body, options);
  }

  delete<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>('DELETE', path, undefined, options);
  }

  async request<T = any>(method: string, path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let payload: string | Buffer | undefined = options.rawBody;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    if (this.contract) {
      const violations = this.contract.responseViolations(method, `${this.baseUrl}${path}`, { status: response.status, contentType: response.headers.get('content-type'), body: parsed, text });
      if (violations.length > 0) throw new ContractViolation(violations);
      this.checkedAnswers++;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
}
