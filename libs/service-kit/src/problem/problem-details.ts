import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, with the platform's `code`, `traceId` and validation `errors`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code?: string;
  traceId?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://platform.example.com/problems/';

/** Problem type URIs are stable per status (and per code where one is given). */
export function problemType(status: number, code?: string): string {
  if (code) return `${TYPE_BASE}${code.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return `${TYPE_BASE}${(STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export function buildProblem(
  status: number,
  detail: string,
  instance: string,
  extras: Partial<Omit<ProblemDetails, 'status' | 'detail' | 'instance'>> = {},
): ProblemDetails {
  return {
    type: problemType(status, typeof extras.code === "string" ? extras.code : undefined),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance,
    ...extras,
  };
}
