import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';

type ContentSecurityPolicy = Exclude<HelmetOptions['contentSecurityPolicy'], boolean | undefined>;

/**
 * API answers are data, never a page (OWASP REST Security Cheat Sheet): nothing may load from
 * them and nobody may frame them.
 */
export const API_CONTENT_SECURITY_POLICY: ContentSecurityPolicy = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
};

/**
 * The Swagger UI page (/docs) loads only its own assets: scripts, styles, images and calls from the
 * gateway itself. Styles allow inline: the page's HTML (from @nestjs/swagger) has <style> blocks and
 * style attributes; scripts do not (its scripts are files). Swagger UI's icons are data: images.
 */
export const DOCS_CONTENT_SECURITY_POLICY: ContentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** Helmet's defaults (Referrer-Policy no-referrer, Cross-Origin-*-Policy same-origin, nosniff, …) with ours. */
const common: HelmetOptions = {
  frameguard: { action: 'deny' },
  // The gateway speaks plain HTTP behind the TLS edge; the edge sends HSTS (k8s/edge).
  strictTransportSecurity: false,
};
const forApi = helmet({ ...common, contentSecurityPolicy: API_CONTENT_SECURITY_POLICY });
const forDocs = helmet({ ...common, contentSecurityPolicy: DOCS_CONTENT_SECURITY_POLICY });

const isDocs = (url = '') => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');

/**
 * Security headers on every answer of the client port, with helmet: `X-Content-Type-Options:
 * nosniff`, `X-Frame-Options: DENY`, the API's CSP (the docs' CSP under /docs) and helmet's other
 * defaults. Applied where each request enters the HTTP server, before Fastify: @fastify/helmet's
 * hooks never run for the answers Fastify gives before routing (a malformed URL's 400, the 503
 * while closing), and those must carry them too.
 */
export function sendSecurityHeaders(app: NestFastifyApplication): void {
  const server = app.getHttpServer() as Server;
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    (isDocs(request.url) ? forDocs : forApi)(request, response, () => undefined);
  });
}
