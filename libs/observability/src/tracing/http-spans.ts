import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { isProbeOrScrape } from '../probes';

/** The methods HTTP semantic conventions name; any other is recorded as `_OTHER`. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

// The `sdk` mode's HTTP spans, with the attributes of OpenTelemetry's stable HTTP semantic
// conventions. Recorded here rather than by `@opentelemetry/instrumentation-http` and `-undici`,
// which cost the gateway more CPU per request than its own work (docs/performance.md). Query
// strings are not recorded: they may carry what logs redact.

/**
 * A SERVER span per request, in the caller's trace; instrumentHttp names it after its route once
 * Fastify has matched it (`GET /api/v1/orders/:id`, `http.route`).
 */
export function serverSpans(tracer: Tracer): (request: IncomingMessage, response: ServerResponse) => Context {
  return (request, response) => {
    const url = request.url ?? '/';
    // Probes and scrapes would drown real traffic in traces.
    if (isProbeOrScrape(url)) return suppressTracing(ROOT_CONTEXT);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = KNOWN_METHODS.has(request.method ?? '') ? request.method! : '_OTHER';
    const [address, port] = hostAndPort(request.headers.host);
    const attributes: Attributes = {
      'http.request.method': method,
      'url.scheme': 'encrypted' in request.socket ? 'https' : 'http',
      'url.path': withoutQuery(url),
      'server.address': address,
      'server.port': port,
      'network.protocol.version': request.httpVersion,
      'network.peer.address': request.socket.remoteAddress,
      'client.address': firstForwardedFor(request.headers['x-forwarded-for']) ?? request.socket.remoteAddress,
      'user_agent.original': request.headers['user-agent'],
    };
    if (method === '_OTHER') attributes['http.request.method_original'] = request.method;
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
    response.once('close', () => {
      const status = response.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) failed(span, String(status));
      else if (!response.writableFinished) {
        // The connection closed before the answer was complete: the client went away.
        span.setAttribute('error.type', 'aborted');
      }
      span.end();
    });
    return trace.setSpan(parent, span);
  };
}

/** How an outgoing call ended: the answer's status, or the error that stopped it. */
export type CallOutcome = { status: number } | { error: unknown };

/** An outgoing HTTP call, one attempt of it (a retry carries `resendCount`). */
export interface OutgoingRequest {
  method: string;
  origin: string;
  path: string;
  resendCount?: number;
}

/** An outgoing call's part of the trace: the headers it carries, and what to do when it ends. */
export interface OutgoingCall {
  headers: Record<string, string>;
  /** Ends the call's CLIENT span in the `sdk` mode (nothing in the others). */
  end(outcome: CallOutcome): void;
}

/**
 * A CLIENT span for one outgoing HTTP call (one per attempt: a retry carries
 * `http.request.resend_count`), a child of the active context; `headers` carry it as the parent.
 */
export function clientSpan(tracer: Tracer, call: OutgoingRequest): OutgoingCall {
  const server = serverOf(call.origin);
  const method = KNOWN_METHODS.has(call.method) ? call.method : '_OTHER';
  const attributes: Attributes = {
    'http.request.method': method,
    'server.address': server.address,
    'server.port': server.port,
    'url.full': `${server.origin}${withoutQuery(call.path)}`,
  };
  if (call.resendCount) attributes['http.request.resend_count'] = call.resendCount;
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return {
    headers,
    end(outcome) {
      if ('error' in outcome) failed(span, (outcome.error as { code?: string }).code ?? 'Error');
      else {
        span.setAttribute('http.response.status_code', outcome.status);
        if (outcome.status >= 500) failed(span, String(outcome.status));
      }
      span.end();
    },
  };
}

/** `error.type` and an error status, as HTTP semantic conventions have it for a failed request. */
function failed(span: Span, errorType: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** An origin's address and port, parsed once per origin (a process calls a handful). */
const servers = new Map<string, { origin: string; address: string; port: number }>();
function serverOf(origin: string): { origin: string; address: string; port: number } {
  let server = servers.get(origin);
  if (!server) {
    const url = new URL(origin);
    server = { origin: url.origin, address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
    servers.set(origin, server);
  }
  return server;
}

function withoutQuery(path: string): string {
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

function hostAndPort(host: string | undefined): [string | undefined, number | undefined] {
  if (!host) return [undefined, undefined];
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return match ? [match[1], match[2] ? Number(match[2]) : undefined] : [undefined, undefined];
}

function firstForwardedFor(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(',')[0].trim();
  return first || undefined;
}
