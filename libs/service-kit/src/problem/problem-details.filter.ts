import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentTraceId } from '@platform/observability';
import { isDatabaseUnavailable } from '../database/postgres-errors';
import { DomainError, type DomainErrorKind } from './domain-error';
import { buildProblem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details';
import { ValidationProblemException } from './validation';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'too-many-requests': 429,
  unavailable: 503,
  timeout: 504,
};

/** Fastify's own error codes for client mistakes that happen before a route runs. */
const FASTIFY_CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body must not be empty when content-type is application/json.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The body is larger than this endpoint accepts.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not supported; send application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body.',
  FST_ERR_CTP_INVALID_TYPE: 'The content type header is not valid.',
  FST_ERR_BAD_URL: 'The URL is not valid.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is too long.',
};

interface ErrorWithStatus {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Maps anything thrown to an RFC 9457 problem. Unknown errors become a 500 that reveals nothing. */
export function toProblem(error: unknown, instance: string): { problem: ProblemDetails; unexpected: boolean } {
  const traceId = currentTraceId();
  const extras = traceId ? { traceId } : {};
  if (error instanceof ValidationProblemException) {
    return { problem: buildProblem(400, 'The request is not valid.', instance, { ...extras, errors: error.errors }), unexpected: false };
  }
  if (error instanceof DomainError) {
    return { problem: buildProblem(STATUS_BY_KIND[error.kind], error.message, instance, { ...extras, code: error.code }), unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail = typeof response === 'string' ? response : messageOf(response) ?? error.message;
    const headers = status >= 500 ? {} : extensionsOf(response);
    return { problem: buildProblem(status, status >= 500 ? 'The server could not handle the request.' : detail, instance, { ...headers, ...extras }), unexpected: status >= 500 };
  }
  const withStatus = error as ErrorWithStatus;
  if (withStatus?.code && FASTIFY_CLIENT_ERRORS[withStatus.code] && withStatus.statusCode && withStatus.statusCode < 500) {
    return { problem: buildProblem(withStatus.statusCode, FASTIFY_CLIENT_ERRORS[withStatus.code], instance, extras), unexpected: false };
  }
  if (withStatus?.statusCode && withStatus.statusCode >= 400 && withStatus.statusCode < 500) {
    return { problem: buildProblem(withStatus.statusCode, 'The request could not be processed.', instance, extras), unexpected: false };
  }
  if (isDatabaseUnavailable(error)) {
    return { problem: buildProblem(503, 'A dependency of this service is unavailable; try again shortly.', instance, { ...extras, code: 'SERVICE.UNAVAILABLE' }), unexpected: false };
  }
  return { problem: buildProblem(500, 'The server could not handle the request.', instance, extras), unexpected: true };
}

function messageOf(response: object): string | undefined {
  const message = (response as { message?: unknown; detail?: unknown }).detail ?? (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}

/** Extension members an HttpException may carry (e.g. `code`), never overriding the standard ones. */
function extensionsOf(response: string | object): Record<string, unknown> {
  if (typeof response !== 'object' || response === null) return {};
  const { code } = response as { code?: unknown };
  return typeof code === 'string' ? { code } : {};
}

export function sendProblem(reply: FastifyReply, problem: ProblemDetails): void {
  if (reply.sent) return;
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

/** The one exception filter of every service. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, unexpected } = toProblem(exception, request.url.split('?')[0]);
    problem.requestId = String(request.id);
    if (unexpected) {
      this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    } else if (problem.status === HttpStatus.TOO_MANY_REQUESTS || problem.status >= 500) {
      this.logger.warn({ status: problem.status, code: problem.code, requestId: request.id }, problem.detail);
    }
    sendProblem(reply, problem);
  }
}
