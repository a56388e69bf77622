// Secondary entry point (@platform/observability/tracing): imports nothing but OpenTelemetry, so
// a service can start tracing before it loads anything that tracing instruments.
export * from './tracing';
