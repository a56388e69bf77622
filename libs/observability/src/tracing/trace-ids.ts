import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { clientSpan, serverSpans, type OutgoingCall, type OutgoingRequest } from './http-spans';

/**
 * How a process traces (set once at start by startTracing):
 * - `sdk`: the OpenTelemetry Node SDK records and exports spans; traceIncomingRequests starts each
 *   request's server span and traceOutgoingCall each outgoing call's client span (http-spans.ts);
 * - `ids`: nothing is exported, so no SDK: every request and event still runs in a W3C trace
 *   context (the caller's trace id, or a new one) that logs, problem details, outgoing calls and
 *   events carry; the platform sets it itself (traceIncomingRequests, traceOutgoingCall);
 * - `off`: OTEL_SDK_DISABLED; trace headers pass through untouched.
 */
export type TracingMode = 'sdk' | 'ids' | 'off';

let mode: TracingMode = 'off';

export function tracingMode(): TracingMode {
  return mode;
}

/** @internal startTracing's record of what it started. */
export function setTracingMode(value: TracingMode): void {
  mode = value;
}

/** The `ids` mode: a context manager and the W3C propagator, no tracer provider. */
export function startTraceIds(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  mode = 'ids';
}

/** Random bytes for ids, taken from a pool refilled 4 KiB at a time (one system call per ~170 requests). */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/** A context for one incoming request: a new span id in the caller's trace, or in a new trace. */
function incomingTraceContext(headers: IncomingHttpHeaders): Context {
  const caller = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
  const continued = caller !== undefined && trace.isSpanContextValid(caller);
  return trace.setSpan(
    ROOT_CONTEXT,
    trace.wrapSpanContext({
      traceId: continued ? caller.traceId : randomHex(16),
      spanId: randomHex(8),
      traceFlags: continued ? caller.traceFlags : TraceFlags.NONE,
      traceState: continued ? caller.traceState : undefined,
    }),
  );
}

/**
 * Runs each request of `server` in its own trace context: in the `ids` mode a new span id in the
 * caller's trace (or a new trace), in the `sdk` mode an HTTP server span (serverSpans).
 */
export function traceIncomingRequests(server: Server): void {
  if (mode === 'off') return;
  const contextFor = mode === 'ids' ? (request: IncomingMessage) => incomingTraceContext(request.headers) : serverSpans(platformTracer());
  for (const listener of server.listeners('request') as ((...args: unknown[]) => void)[]) {
    server.removeListener('request', listener);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => context.with(contextFor(request, response), () => listener.call(server, request, response)));
  }
}

export const TRACE_HEADERS: ReadonlySet<string> = new Set(['traceparent', 'tracestate', 'baggage']);

/** The tracer of the platform's own HTTP spans (http-spans.ts). */
let tracer: Tracer | undefined;
function platformTracer(): Tracer {
  return (tracer ??= trace.getTracer('@platform/observability'));
}

const NOTHING_TO_END = () => undefined;

/**
 * The trace of one outgoing call a request makes (the gateway forwarding it): in the `sdk` mode a
 * CLIENT span whose context goes out as the parent; in the `ids` mode this process's context as
 * the parent; with tracing off the caller's own trace headers, untouched. The caller's are never
 * copied as they are in the other modes.
 */
export function traceOutgoingCall(incoming: IncomingHttpHeaders, call: OutgoingRequest): OutgoingCall {
  if (mode === 'sdk') return clientSpan(platformTracer(), call);
  const headers: Record<string, string> = {};
  if (mode === 'ids') propagation.inject(context.active(), headers);
  else {
    for (const name of TRACE_HEADERS) {
      const value = incoming[name];
      if (typeof value === 'string') headers[name] = value;
    }
  }
  return { headers, end: NOTHING_TO_END };
}
