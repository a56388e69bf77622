import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

type Parser = Parameters<FastifyInstance['addContentTypeParser']>[2];

/**
 * The gateway does not parse bodies: JSON arrives as bytes (size-limited, 413 past the limit) and
 * goes upstream untouched, where the owning service validates it. Other media types get a 415.
 */
export function acceptRawJsonBodies(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const keepBytes: Parser = (_request, body, done) => done(null, body);
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBytes);
  fastify.addContentTypeParser(/^application\/[\w.-]+\+json$/i, { parseAs: 'buffer' }, keepBytes);
}
