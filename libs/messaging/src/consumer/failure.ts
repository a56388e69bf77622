import { EventRejectedError } from '@platform/contracts';
import { isDatabaseUnavailable, isRetryableConflict } from '@platform/service-kit';

/**
 * Whether a handler failure is the infrastructure's (retry for as long as it takes, never
 * dead-letter) or the event's (retry a few times, then dead-letter).
 */
export function isTransientFailure(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isRetryableConflict(error);
}

export function isRejection(error: unknown): error is EventRejectedError {
  return error instanceof EventRejectedError;
}
