import type { ApiResponse } from './api-client.ts';

/**
 * Asserts an RFC 9457 answer: the media type, the status in the body, the standard members,
 * and (when given) the platform's stable error code.
 */
export function expectProblem(response: ApiResponse, status: number, code?: string): void {
  expect({ status: response.status, contentType: response.headers.get('content-type') }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https:\/\//),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\//),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    }),
  );
  if (code) expect(response.body.code).toBe(code);
  expect(response.text).not.toMatch(/\bat \w+ \(|node_modules|QueryFailedError|SELECT |INSERT /);
}
