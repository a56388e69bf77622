import { trace, type SpanContext } from '@opentelemetry/api';

/** The active span's context, when there is a valid one (a request's or an event's). */
function activeSpanContext(): SpanContext | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context : undefined;
}

/** The trace id of the active span, when tracing is on. */
export function currentTraceId(): string | undefined {
  return activeSpanContext()?.traceId;
}

/** Trace fields of a log line (the names and format the SDK's pino instrumentation uses). */
export function traceLogFields(): Record<string, string> {
  const context = activeSpanContext();
  return context ? { trace_id: context.traceId, span_id: context.spanId, trace_flags: `0${context.traceFlags.toString(16)}` } : {};
}
