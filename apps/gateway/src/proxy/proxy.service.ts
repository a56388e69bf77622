import { Injectable, Logger } from '@nestjs/common';
import { traceOutgoingCall, TRACE_HEADERS } from '@platform/observability';
import { DomainError } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { errors, type Dispatcher } from 'undici';
import { GatewayConfig } from '../config/gateway.config';
import { Upstreams, type Upstream, type UpstreamName } from './upstreams';

/** Connection-level headers (RFC 9110 §7.6.1) and ones the gateway sets itself. */
const NOT_FORWARDED_REQUEST = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'x-request-id', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
const NOT_FORWARDED_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-request-id', 'date']);
/** Safe to send twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/**
 * Answers up to this size are read whole before they are sent on (see ProxyService.bodyOf): one
 * socket write with the headers instead of a stream piped through (docs/performance.md).
 */
const BUFFERED_BODY_MAX_BYTES = 64 * 1024;
/** Answers that mean the upstream itself is in trouble: they count against its circuit. */
const UPSTREAM_TROUBLE = new Set([502, 503, 504]);

/**
 * The connection failed or was reset before any byte of an answer came back (a replica that went
 * away, an idle keep-alive connection closed as the request went out): safe to send again when
 * sending twice changes nothing.
 */
function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return error instanceof errors.ConnectTimeoutError || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code);
}

/**
 * A replica shutting down answered on a connection it had open: 503 with `Connection: close`,
 * before any handler ran (what a server closing does with a request it will not serve). Another
 * replica, on a new connection, will serve it.
 */
function isReplicaClosing(response: Dispatcher.ResponseData): boolean {
  return response.statusCode === 503 && String(response.headers['connection'] ?? '').toLowerCase() === 'close';
}

function isTimeout(error: unknown): boolean {
  return error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError;
}

/**
 * Forwards a client request to an upstream service and streams its answer back unchanged.
 * Repeatable requests (idempotent, or a POST with an Idempotency-Key) are retried when the
 * connection fails or is reset before an answer starts; every upstream has a timeout and a
 * circuit breaker that answers 503 at once while the upstream is known to be down.
 */
@Injectable()
export class ProxyService {
  private readonly logger = new Logger(ProxyService.name);

  constructor(
    private readonly upstreams: Upstreams,
    private readonly config: GatewayConfig,
  ) {}

  async forward(name: UpstreamName, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const upstream = this.upstreams.get(name);
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const attempts = ProxyService.isRepeatable(request) ? 1 + this.config.UPSTREAM_RETRIES : 1;
    let response: Dispatcher.ResponseData | undefined;
    // Once per request, not per attempt: the request is one trial of a half-open circuit, and its
    // attempts on another replica must not be refused by that trial itself.
    if (!upstream.breaker.tryAcquire()) throw this.circuitOpen(upstream, reply);
    for (let attempt = 1; !response; attempt++) {
      const call = traceOutgoingCall(request.headers, { method: request.method, origin: upstream.origin, path: request.url, resendCount: attempt - 1 });
      try {
        response = await upstream.pool.request({ method: request.method as Dispatcher.HttpMethod, path: request.url, headers: this.requestHeaders(request, body, call.headers), body });
        call.end({ status: response.statusCode });
        if (attempt < attempts && isReplicaClosing(response)) {
          await response.body.dump();
          response = undefined;
          continue;
        }
      } catch (error) {
        call.end({ error });
        if (attempt < attempts && isConnectFailure(error)) {
          // Not yet a failure of the upstream: one replica went away, another may answer.
          await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
          continue;
        }
        upstream.breaker.failed();
        throw this.upstreamFailure(upstream, error);
      }
      if (UPSTREAM_TROUBLE.has(response.statusCode)) upstream.breaker.failed();
      else upstream.breaker.succeeded();
    }
    const answer = await this.bodyOf(upstream, request, response);
    void reply.status(response.statusCode);
    for (const [header, value] of Object.entries(response.headers)) {
      if (value !== undefined && !NOT_FORWARDED_RESPONSE.has(header)) void reply.header(header, value);
    }
    return reply.send(answer);
  }

  /** Idempotent methods (RFC 9110), and a POST that carries an Idempotency-Key (the service answers a repeat with the first result). */
  private static isRepeatable(request: FastifyRequest): boolean {
    return IDEMPOTENT.has(request.method) || (request.method === 'POST' && request.headers['idempotency-key'] !== undefined);
  }

  /**
   * An answer of known length up to BUFFERED_BODY_MAX_BYTES (every JSON answer of the API) is read
   * whole, so that it leaves in the same write as its headers, and a body that stalls or breaks
   * becomes a problem (504 or 503) instead of a cut-off answer; anything else streams through.
   */
  private async bodyOf(upstream: Upstream, request: FastifyRequest, response: Dispatcher.ResponseData): Promise<Buffer | Dispatcher.ResponseData['body']> {
    if (request.method === 'HEAD' || !(Number(response.headers['content-length']) <= BUFFERED_BODY_MAX_BYTES)) return response.body;
    try {
      return Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      upstream.breaker.failed();
      throw this.upstreamFailure(upstream, error);
    }
  }

  /** The client's headers that go on, the gateway's own, and the call's trace headers (its span as the parent, see traceOutgoingCall). */
  private requestHeaders(request: FastifyRequest, body: Buffer | undefined, traceHeaders: Record<string, string>): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = traceHeaders;
    for (const [header, value] of Object.entries(request.headers)) {
      if (NOT_FORWARDED_REQUEST.has(header) || TRACE_HEADERS.has(header)) continue;
      headers[header] = value;
    }
    headers['x-request-id'] = String(request.id);
    headers['x-forwarded-for'] = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] = request.protocol;
    headers['x-forwarded-host'] = request.headers.host;
    if (body) headers['content-length'] = String(body.length);
    return headers;
  }

  private circuitOpen(upstream: Upstream, reply: FastifyReply): DomainError {
    void reply.header('retry-after', String(Math.max(1, Math.ceil(upstream.breaker.retryAfterMs / 1000))));
    return new DomainError('unavailable', 'UPSTREAM.CIRCUIT_OPEN', `${upstream.name} is failing; requests to it are paused for a moment.`);
  }

  private upstreamFailure(upstream: Upstream, error: unknown): DomainError {
    const timedOut = isTimeout(error);
    this.logger.warn({ upstream: upstream.name, err: error }, timedOut ? 'upstream timed out' : 'upstream unreachable');
    return timedOut
      ? new DomainError('timeout', 'UPSTREAM.TIMEOUT', `${upstream.name} did not answer within ${upstream.timeoutMs} ms.`)
      : new DomainError('unavailable', 'UPSTREAM.UNAVAILABLE', `${upstream.name} is not reachable right now.`);
  }
}
