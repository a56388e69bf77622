import { EventRejectedError } from '@platform/contracts';

/** SQLSTATE classes that mean "the database is not reachable right now", not "this event is bad". */
const TRANSIENT_SQLSTATE = [/^08/, /^57P0[1-3]$/, /^53/, /^40001$/, /^40P01$/];
const TRANSIENT_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const TRANSIENT_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /connection is not open/i, /Client has encountered a connection error/i];

/**
 * Whether a handler failure is the infrastructure's (retry for as long as it takes, never
 * dead-letter) or the event's (retry a few times, then dead-letter).
 */
export function isTransientFailure(error: unknown): boolean {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = String(candidate?.driverError?.code ?? candidate?.code ?? '');
  if (TRANSIENT_NETWORK.has(code) || TRANSIENT_SQLSTATE.some((pattern) => pattern.test(code))) return true;
  const message = String(candidate?.message ?? '');
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

export function isRejection(error: unknown): error is EventRejectedError {
  return error instanceof EventRejectedError;
}

export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter on the upper half keeps replicas from retrying in lockstep.
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}
