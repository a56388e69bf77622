import { QueryFailedError } from 'typeorm';

/** A write hit a unique index (SQLSTATE 23505): a duplicate, usually a client's or a race's. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}
