// No TypeORM import here: the problem filter of every service (the gateway's too) reads these,
// and the gateway has no database driver to load.

/** A write hit a unique index (SQLSTATE 23505): a duplicate, usually a client's or a race's. */
export function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { name?: unknown; driverError?: { code?: unknown } };
  return candidate?.name === 'QueryFailedError' && candidate.driverError?.code === '23505';
}

/** SQLSTATE classes that mean "the database cannot serve right now", not "this request is wrong". */
const UNAVAILABLE_SQLSTATE = [/^08/, /^57P0[1-3]$/, /^53/];
const RETRYABLE_SQLSTATE = [/^40001$/, /^40P01$/];
const UNREACHABLE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const UNREACHABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /connection is not open/i, /Client has encountered a connection error/i, /Connection is closed/i];
/**
 * TypeORM's word for a connection that died under a transaction (the pool dropped it): the next
 * statement or the COMMIT finds the query runner released. A failover cuts every connection so.
 */
const RELEASED_CONNECTION = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

function codeOf(error: unknown): string {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  return String(candidate?.driverError?.code ?? candidate?.code ?? '');
}

/** Postgres is down, restarting or unreachable. Callers answer 503 or retry; it is nobody's mistake. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (RELEASED_CONNECTION.has(String((error as { name?: unknown })?.name ?? ''))) return true;
  const code = codeOf(error);
  if (UNREACHABLE_NETWORK.has(code) || UNAVAILABLE_SQLSTATE.some((pattern) => pattern.test(code))) return true;
  return UNREACHABLE_MESSAGES.some((pattern) => pattern.test(String((error as { message?: unknown })?.message ?? '')));
}

/** A transaction lost a race (serialization failure, deadlock): running it again will do. */
export function isRetryableConflict(error: unknown): boolean {
  return RETRYABLE_SQLSTATE.some((pattern) => pattern.test(codeOf(error)));
}
