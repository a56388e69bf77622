import fastifyCors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** What a web app may send besides the CORS-safelisted headers. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-none-match', 'last-event-id', 'traceparent', 'x-request-id'];
/** What a web app may read besides the safelisted answer headers (Content-Type, Cache-Control, …). */
export const CORS_EXPOSED_HEADERS = ['ETag', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id', 'Location'];
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 h, Firefox at 24 h). */
export const CORS_MAX_AGE_SECONDS = 7_200;

/**
 * CORS for web apps on the origins of CORS_ORIGINS (exact matches), with @fastify/cors. A preflight
 * is answered 204 in an onRequest hook, before Nest's auth and rate-limit guards ever see it. An
 * origin that is not on the list gets no CORS header at all (not even Expose-Headers, which the
 * plugin sends for any origin when given a list; hence the function) and its preflight a 404
 * problem. Tokens travel in `Authorization`, never in cookies, so credentials stay off.
 */
export async function allowBrowserOrigins(app: NestFastifyApplication, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
    credentials: false,
    // An OPTIONS from an allowed origin without Access-Control-Request-Method gets the preflight's
    // answer too, not the plugin's text/plain 400 (every error of the API is problem+json).
    strictPreflight: false,
  });
  // Forwarded answers bring the upstream's `Vary: Authorization`, which replaces the gateway's
  // `Vary: Origin` (the proxy copies upstream headers over): put Origin back before they leave.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      const vary = String(reply.getHeader('vary') ?? '');
      if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(vary)) void reply.header('vary', vary ? `${vary}, Origin` : 'Origin');
      done(null, payload);
    });
}
