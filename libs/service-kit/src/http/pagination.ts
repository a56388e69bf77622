import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../problem/domain-error';

/** Position in a newest-first list: the last item's creation time and id (ties broken by id). */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** Opaque to clients; anything that is not a cursor we issued is a 400. */
export function decodeCursor(value: string): KeysetCursor {
  const invalid = () => new DomainError('invalid', 'PAGINATION.INVALID_CURSOR', 'The cursor is not valid; use nextCursor from a previous page.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') throw invalid();
  const createdAt = new Date(parsed[0]);
  if (Number.isNaN(createdAt.getTime()) || !UUID.test(parsed[1])) throw invalid();
  return { createdAt, id: parsed[1] };
}

/** Splits a page fetched with limit + 1 rows into the page and the next cursor. */
export function toPage<T extends { id: string; createdAt: Date }, R>(rows: T[], limit: number, map: (row: T) => R): { items: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * Runs a newest-first keyset query: `(created_at, id) < cursor`, limit + 1 rows to know whether a
 * next page exists. The query must select from `alias` with `created_at` and `id` columns.
 */
export async function keysetPage<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: T[]; nextCursor: string | null }> {
  query.orderBy(`${alias}.created_at`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').limit(page.limit + 1);
  if (page.cursor) query.andWhere(`(${alias}.created_at, ${alias}.id) < (:createdAt, :id)`, decodeCursor(page.cursor));
  return toPage(await query.getMany(), page.limit, (row) => row);
}
