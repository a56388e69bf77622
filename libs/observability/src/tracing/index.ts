// Secondary entry point (@platform/observability/tracing): imports only OpenTelemetry and the
// settings reader, so a service can start tracing before it loads anything that tracing instruments.
export * from './tracing';
