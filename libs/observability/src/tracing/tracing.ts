import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ConfigError, loadConfig } from '@platform/config';
import { TelemetryConfig } from '../telemetry.config';

let sdk: NodeSDK | undefined;

/** Probes and scrapes would drown real traffic in traces. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Starts the OpenTelemetry Node SDK. Must run before anything it instruments is loaded: it is the
 * first import of every service's main.ts (apps/<service>/src/tracing.ts).
 *
 * Export follows the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT, …_PROTOCOL,
 * OTEL_TRACES_SAMPLER, …). Without an endpoint nothing is sampled or exported, yet every request
 * still gets a W3C trace id for its logs, problem details and outgoing calls.
 */
export function startTracing(options: { serviceName: string }): void {
  let settings: TelemetryConfig;
  try {
    settings = loadConfig(TelemetryConfig);
  } catch (error) {
    // The service's start-up reports every bad setting at once and exits 78.
    if (error instanceof ConfigError) return;
    throw error;
  }
  if (settings.OTEL_SDK_DISABLED || sdk) return;
  const configuration: Partial<NodeSDKConfiguration> = {
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.OTEL_SERVICE_NAME ?? options.serviceName,
      [ATTR_SERVICE_VERSION]: settings.SERVICE_VERSION,
      'deployment.environment.name': settings.DEPLOYMENT_ENVIRONMENT,
    }),
    // Without export, only what carries the trace id is instrumented: incoming HTTP (the id of logs
    // and problems), outgoing HTTP (propagation) and logs. Nest's and Postgres' spans would only be
    // dropped, and cost time on every request (measured with BENCH_PROFILE=1). Kafka's PRODUCER and
    // CONSUMER spans come from @platform/messaging itself, one per event, parented through the
    // message headers (the kafkajs instrumentation would parent a whole batch on one context).
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new UndiciInstrumentation(),
      new PinoInstrumentation({ disableLogSending: true }),
      ...(settings.exportsTraces
        ? [
            new NestInstrumentation(),
            // Only inside a request or an event: the relay's and probes' polling queries stay out of traces.
            new PgInstrumentation({ requireParentSpan: true }),
          ]
        : []),
    ],
    // Metrics are Prometheus (/metrics) and logs are stdout JSON: no OTLP push for either.
    metricReaders: [],
    logRecordProcessors: [],
  };
  if (!settings.exportsTraces) {
    // A tracer provider that records nothing: spans stay non-recording but still carry trace ids.
    configuration.spanProcessors = [new NoopSpanProcessor()];
    configuration.sampler = new AlwaysOffSampler();
  }
  sdk = new NodeSDK(configuration);
  sdk.start();
}

/** Flushes and stops tracing: the last spans of a stopping service still reach the collector. */
export async function shutdownTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
