/** The standard OTEL_* variables the tracing start-up itself looks at (the SDK reads the rest). */
export interface TracingSettings {
  disabled: boolean;
  /** An OTLP endpoint is configured: spans are sampled and exported per OTEL_* settings. */
  exporting: boolean;
  serviceName?: string;
  serviceVersion?: string;
  environment: string;
}

export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  return {
    disabled: env['OTEL_SDK_DISABLED'] === 'true',
    exporting: Boolean(endpoint) && env['OTEL_TRACES_EXPORTER'] !== 'none',
    serviceName: env['OTEL_SERVICE_NAME'] || undefined,
    serviceVersion: env['SERVICE_VERSION'] || undefined,
    environment: env['DEPLOYMENT_ENVIRONMENT'] || env['NODE_ENV'] || 'development',
  };
}
