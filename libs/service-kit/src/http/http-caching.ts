import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What user data may do in a cache: be kept by the client only, and revalidated before each use. */
export const USER_DATA_CACHE_CONTROL = 'private, no-cache';
/** Answers that may carry credentials or were produced by a change (tokens, writes, errors): never stored. */
export const NO_STORE = 'no-store';

const JSON_MEDIA_TYPE = /^application\/json\b/i;

/** A strong validator: the same bytes always get the same tag, in every replica. */
export function entityTag(payload: string | Buffer): string {
  return `"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.2: weak comparison against every tag in If-None-Match (or `*`). */
export function noneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return !ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

function varyOnAuthorization(reply: FastifyReply): void {
  const vary = String(reply.getHeader('vary') ?? '');
  if (!/(^|,)\s*(authorization|\*)\s*(,|$)/i.test(vary)) void reply.header('vary', vary ? `${vary}, Authorization` : 'Authorization');
}

function isReadOfJson(request: FastifyRequest, reply: FastifyReply, payload: unknown): payload is string | Buffer {
  return (
    request.method === 'GET' &&
    reply.statusCode === 200 &&
    (typeof payload === 'string' || Buffer.isBuffer(payload)) &&
    JSON_MEDIA_TYPE.test(String(reply.getHeader('content-type') ?? ''))
  );
}

/**
 * HTTP caching for every service (SPEC §2), decided in one place for every route, present and
 * future, so no controller says anything about it:
 * - a GET answered 200 with JSON (a resource or a list) gets a strong `ETag` and `private, no-cache`;
 *   `If-None-Match` with that tag turns it into a `304` without a body;
 * - every other answer (writes, whose answers include the auth tokens, and problems) is `no-store`;
 * - every answer varies on `Authorization` (whose data it is depends on the token).
 * A route that set its own Cache-Control or ETag keeps it, and so every answer the gateway relays
 * from upstream passes it unchanged (the upstream service decided its caching); streams (an SSE
 * feed, a large body the gateway relays) are never buffered or tagged.
 */
export function applyHttpCaching(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    varyOnAuthorization(reply);
    if (reply.getHeader('cache-control') !== undefined || reply.getHeader('etag') !== undefined) return done(null, payload);
    if (!isReadOfJson(request, reply, payload)) {
      const streamed = payload !== null && typeof payload === 'object' && !Buffer.isBuffer(payload);
      if (!streamed) void reply.header('cache-control', NO_STORE);
      return done(null, payload);
    }
    const etag = entityTag(payload);
    void reply.header('etag', etag).header('cache-control', USER_DATA_CACHE_CONTROL);
    if (noneMatch(request.headers['if-none-match'], etag)) return done(null, payload);
    void reply.code(304).removeHeader('content-type').removeHeader('content-length');
    done(null, '');
  });
}
