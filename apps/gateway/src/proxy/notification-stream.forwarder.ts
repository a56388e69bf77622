import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { counter, gauge, histogram, traceOutgoingCall } from '@platform/observability';
import { DomainError } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { GatewayConfig } from '../config/gateway.config';
import { Upstreams } from './upstreams';

/** What goes up besides the gateway's own headers: who, and where the client left off. */
const FORWARDED = ['authorization', 'last-event-id', 'accept'];
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-request-id', 'date']);

const streams = counter('gateway_streams_total', 'Live notification streams asked for, by outcome (opened, limited, unavailable).', ['outcome']);
/**
 * How long streams stayed open. A stream the client closes never "finishes" for Fastify, so it is
 * missing from http_server_request_duration_seconds (one that ends server-side, at token expiry, is
 * in both): this and the open/close log lines are where every stream is counted.
 */
const streamDuration = histogram('gateway_stream_duration_seconds', 'How long live notification streams stayed open.', [], [1, 10, 60, 300, 900, 3600]);

/**
 * Forwards `GET /notifications/stream` to notification-service as a stream: its own connection
 * pool (a long-lived stream must not hold one of the proxy's keep-alive connections), no body
 * timeout (the stream is meant to stay open; the upstream sends a comment every ≤ 15 s), nothing
 * buffered. Each user may hold STREAMS_PER_USER streams through this replica.
 * The request is logged and measured like every other when it ends (Fastify's onResponse).
 */
@Injectable()
export class NotificationStreamForwarder implements OnModuleDestroy {
  private readonly logger = new Logger(NotificationStreamForwarder.name);
  private readonly pool: Pool;
  private readonly timeoutMs: number;
  private readonly origin: string;
  private readonly openPerUser = new Map<string, number>();
  private readonly open = new Set<AbortController>();

  constructor(
    upstreams: Upstreams,
    private readonly config: GatewayConfig,
  ) {
    const upstream = upstreams.get('notification-service');
    this.timeoutMs = upstream.timeoutMs;
    this.origin = upstream.origin;
    this.pool = new Pool(upstream.origin, { connect: { timeout: Math.min(1_000, upstream.timeoutMs) }, headersTimeout: upstream.timeoutMs, bodyTimeout: 0 });
    gauge('gateway_streams_open', 'Live notification streams open through this gateway.', [], (metric) => metric.set(this.open.size));
  }

  async forward(userId: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const held = this.openPerUser.get(userId) ?? 0;
    if (held >= this.config.STREAMS_PER_USER) {
      streams.inc({ outcome: 'limited' });
      void reply.header('retry-after', '5');
      throw new DomainError('too-many-requests', 'NOTIFICATION.TOO_MANY_STREAMS', `At most ${this.config.STREAMS_PER_USER} notification streams may be open at once; close one first.`);
    }
    this.openPerUser.set(userId, held + 1);
    const abort = new AbortController();
    this.open.add(abort);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.open.delete(abort);
      const left = (this.openPerUser.get(userId) ?? 1) - 1;
      if (left > 0) this.openPerUser.set(userId, left);
      else this.openPerUser.delete(userId);
    };
    const opened = Date.now();
    let streaming = false;
    reply.raw.once('close', () => {
      abort.abort();
      release();
      if (!streaming) return;
      const durationMs = Date.now() - opened;
      streamDuration.observe(durationMs / 1000);
      this.logger.log({ userId, durationMs, endedBy: reply.raw.writableFinished ? 'server' : 'client' }, 'notification stream closed');
    });

    let response: Awaited<ReturnType<Pool['request']>>;
    // The call's span ends when the stream's answer begins; the stream itself lasts as long as the request's server span.
    const call = traceOutgoingCall(request.headers, { method: 'GET', origin: this.origin, path: request.url });
    try {
      response = await this.pool.request({ method: 'GET', path: request.url, headers: this.headers(request, call.headers), signal: abort.signal });
      call.end({ status: response.statusCode });
    } catch (error) {
      call.end({ error });
      release();
      streams.inc({ outcome: 'unavailable' });
      this.logger.warn({ err: error }, 'notification stream: upstream unreachable');
      throw new DomainError('unavailable', 'UPSTREAM.UNAVAILABLE', `notification-service is not reachable right now (or did not answer within ${this.timeoutMs} ms).`);
    }
    if (response.statusCode === 200) {
      streaming = true;
      streams.inc({ outcome: 'opened' });
      this.logger.log({ userId }, 'notification stream opened');
    } else {
      release();
    }
    // A dropped upstream ends the client's stream; the client reconnects with Last-Event-ID.
    response.body.on('error', () => undefined);
    void reply.status(response.statusCode);
    for (const [header, value] of Object.entries(response.headers)) {
      if (value !== undefined && !NOT_RETURNED.has(header)) void reply.header(header, value);
    }
    return reply.send(response.body);
  }

  private headers(request: FastifyRequest, traceHeaders: Record<string, string>): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = { ...traceHeaders, 'x-request-id': String(request.id), 'x-forwarded-for': request.socket.remoteAddress, 'x-forwarded-proto': request.protocol };
    for (const name of FORWARDED) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
    return headers;
  }

  /** On shutdown every stream is cut: clients reconnect (to another replica) with Last-Event-ID. */
  async onModuleDestroy(): Promise<void> {
    for (const abort of this.open) abort.abort();
    await this.pool.close().catch(() => undefined);
  }
}
