import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TelemetryConfig } from '../telemetry.config';
import type { TracingOptions } from './tracing';

/**
 * The `sdk` mode: the OpenTelemetry Node SDK, exporting over OTLP as the OTEL_* variables say.
 * Loaded by startTracing only in that mode (a process that exports nothing never loads it).
 */
export function startSdk(settings: TelemetryConfig, options: TracingOptions): { shutdown(): Promise<void> } {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.OTEL_SERVICE_NAME ?? options.serviceName,
      [ATTR_SERVICE_VERSION]: settings.SERVICE_VERSION,
      'deployment.environment.name': settings.DEPLOYMENT_ENVIRONMENT,
    }),
    // HTTP server and client spans come from the platform itself (http-spans.ts), Kafka's PRODUCER
    // and CONSUMER spans from @platform/messaging, one per event, parented through the message
    // headers (the kafkajs instrumentation would parent a whole batch on one context).
    instrumentations: [
      new PinoInstrumentation({ disableLogSending: true }),
      ...(options.nestSpans === false ? [] : [new NestInstrumentation()]),
      // Only inside a request or an event: the relay's and probes' polling queries stay out of traces.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // Metrics are Prometheus (/metrics) and logs are stdout JSON: no OTLP push for either.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return sdk;
}
