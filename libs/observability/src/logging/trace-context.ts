import { trace } from '@opentelemetry/api';

/** The trace id of the active span, when tracing is on. */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : undefined;
}
