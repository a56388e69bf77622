import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * How a process traces (set once at start by startTracing):
 * - `sdk`: the OpenTelemetry Node SDK records and exports spans; its instrumentations carry the
 *   context in and out;
 * - `ids`: nothing is exported, so no SDK: every request and event still runs in a W3C trace
 *   context (the caller's trace id, or a new one) that logs, problem details, outgoing calls and
 *   events carry; the platform sets it itself (traceIncomingRequests, outgoingTraceHeaders);
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
 * In the `ids` mode, runs each request of `server` in its own trace context (the SDK's HTTP
 * instrumentation does that in the `sdk` mode, at several times the cost per request).
 */
export function traceIncomingRequests(server: Server): void {
  if (mode !== 'ids') return;
  for (const listener of server.listeners('request') as ((...args: unknown[]) => void)[]) {
    server.removeListener('request', listener);
    server.on('request', (request: { headers: IncomingHttpHeaders }, response: unknown) => context.with(incomingTraceContext(request.headers), () => listener.call(server, request, response)));
  }
}

export const TRACE_HEADERS: ReadonlySet<string> = new Set(['traceparent', 'tracestate', 'baggage']);

/**
 * The trace headers a forwarded request carries (the caller's own are never copied as they are,
 * except with tracing off): in the `ids` mode this process's context as the parent; in the `sdk`
 * mode none, since the undici instrumentation adds its client span's.
 */
export function outgoingTraceHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  if (mode === 'ids') propagation.inject(context.active(), headers);
  if (mode === 'off') {
    for (const name of TRACE_HEADERS) {
      const value = incoming[name];
      if (typeof value === 'string') headers[name] = value;
    }
  }
  return headers;
}
