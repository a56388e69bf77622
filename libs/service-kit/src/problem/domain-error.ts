/**
 * What went wrong, in domain terms. The HTTP layer maps each kind to one status code
 * (see problem-details.filter.ts); domain code never mentions HTTP.
 */
export type DomainErrorKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'unprocessable' // 422
  | 'too-many-requests' // 429
  | 'unavailable' // 503
  | 'timeout'; // 504

/** A failure with a stable code clients can rely on, e.g. `USER.EMAIL_TAKEN`. */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
