import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

export const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } };

/** What each problem status means on this API; the document says it the same way everywhere. */
export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid: a field, a query parameter, the JSON or its nesting depth (`errors` lists each field).',
  401: 'No valid token of the kind this operation expects (missing, expired, forged, or another kind of token).',
  403: 'The caller lacks the role this operation needs.',
  404: 'No such resource for this caller (another user’s resource answers the same).',
  409: 'The resource is in a state that does not allow this.',
  413: 'The body is larger than the body limit.',
  415: 'The body is not `application/json`.',
  422: 'The Idempotency-Key was already used with another body.',
  429: 'Rate limit exceeded; retry after `Retry-After` seconds.',
  503: 'The gateway is at capacity (`GATEWAY.OVERLOADED`) or the service behind it is unavailable (circuit open or down); retry after `Retry-After` seconds when given.',
  504: 'The service behind the gateway did not answer in time.',
};

/** The problem answers an operation can give besides those every operation shares (see openapi.ts). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: PROBLEM_DESCRIPTIONS[status], content: PROBLEM_CONTENT })));
}
