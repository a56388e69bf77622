export * from './logging/logger';
export * from './logging/trace-context';
export * from './metrics/http-metrics';
export * from './metrics/metrics';
export * from './logging/process-warnings';
export * from './probes';
export * from './telemetry.config';
export { traceIncomingRequests, traceOutgoingCall, tracingMode, TRACE_HEADERS, type TracingMode } from './tracing/trace-ids';
export type { CallOutcome, OutgoingCall, OutgoingRequest } from './tracing/http-spans';
