import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { DomainError } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from 'undici';
import { Upstreams, type UpstreamName } from './upstreams';

/** Connection-level headers (RFC 9110 §7.6.1) and ones the gateway sets itself. */
const NOT_FORWARDED_REQUEST = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'x-request-id', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
const TRACE_HEADERS = new Set(['traceparent', 'tracestate', 'baggage']);
const NOT_FORWARDED_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-request-id', 'date']);

/** Forwards a client request to an upstream service and streams its answer back unchanged. */
@Injectable()
export class ProxyService {
  private readonly logger = new Logger(ProxyService.name);

  constructor(private readonly upstreams: Upstreams) {}

  async forward(name: UpstreamName, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const upstream = this.upstreams.get(name);
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    let response;
    try {
      response = await upstream.pool.request({
        method: request.method as 'GET',
        path: request.url,
        headers: this.requestHeaders(request, body),
        body,
      });
    } catch (error) {
      throw this.upstreamFailure(name, error);
    }
    void reply.status(response.statusCode);
    for (const [header, value] of Object.entries(response.headers)) {
      if (value !== undefined && !NOT_FORWARDED_RESPONSE.has(header)) void reply.header(header, value);
    }
    return reply.send(response.body);
  }

  private requestHeaders(request: FastifyRequest, body: Buffer | undefined): IncomingHttpHeaders {
    // With tracing on, the undici instrumentation sends the gateway's own span as `traceparent`
    // (a child of the caller's); without it, the caller's trace headers go through as they are.
    const tracing = trace.getActiveSpan() !== undefined;
    const headers: IncomingHttpHeaders = {};
    for (const [header, value] of Object.entries(request.headers)) {
      if (NOT_FORWARDED_REQUEST.has(header) || (tracing && TRACE_HEADERS.has(header))) continue;
      headers[header] = value;
    }
    headers['x-request-id'] = String(request.id);
    headers['x-forwarded-for'] = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] = request.protocol;
    headers['x-forwarded-host'] = request.headers.host;
    if (body) headers['content-length'] = String(body.length);
    return headers;
  }

  private upstreamFailure(name: UpstreamName, error: unknown): DomainError {
    const timedOut = error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError;
    this.logger.warn({ upstream: name, err: error }, timedOut ? 'upstream timed out' : 'upstream unreachable');
    return timedOut
      ? new DomainError('timeout', 'UPSTREAM.TIMEOUT', `${name} did not answer in time.`)
      : new DomainError('unavailable', 'UPSTREAM.UNAVAILABLE', `${name} is not reachable right now.`);
  }
}
