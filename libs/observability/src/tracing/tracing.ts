import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ConfigError, loadConfig } from '@platform/config';
import { TelemetryConfig } from '../telemetry.config';
import { setTracingMode, startTraceIds, tracingMode } from './trace-ids';

let sdk: NodeSDK | undefined;

/** Probes and scrapes would drown real traffic in traces. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Starts tracing (see TracingMode). Must run before anything it instruments is loaded: it is the
 * first import of every service's main.ts (apps/<service>/src/tracing.ts).
 *
 * With an OTLP endpoint, the OpenTelemetry Node SDK exports following the standard OTEL_* variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, …_PROTOCOL, OTEL_TRACES_SAMPLER, …). Without one nothing is
 * recorded and the SDK is not started, yet every request and event still runs in a W3C trace
 * context whose id its logs, problem details, outgoing calls and events carry.
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
  if (settings.OTEL_SDK_DISABLED || tracingMode() !== 'off') return;
  if (!settings.exportsTraces) {
    // Nothing to export: trace ids and propagation without the SDK, whose HTTP instrumentation alone
    // cost the gateway ~40 % of its throughput with every span dropped (`./platform bench`).
    startTraceIds();
    return;
  }
  const configuration: Partial<NodeSDKConfiguration> = {
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.OTEL_SERVICE_NAME ?? options.serviceName,
      [ATTR_SERVICE_VERSION]: settings.SERVICE_VERSION,
      'deployment.environment.name': settings.DEPLOYMENT_ENVIRONMENT,
    }),
    // Kafka's PRODUCER and CONSUMER spans come from @platform/messaging itself, one per event,
    // parented through the message headers (the kafkajs instrumentation would parent a whole batch
    // on one context).
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new UndiciInstrumentation(),
      new PinoInstrumentation({ disableLogSending: true }),
      new NestInstrumentation(),
      // Only inside a request or an event: the relay's and probes' polling queries stay out of traces.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // Metrics are Prometheus (/metrics) and logs are stdout JSON: no OTLP push for either.
    metricReaders: [],
    logRecordProcessors: [],
  };
  sdk = new NodeSDK(configuration);
  sdk.start();
  setTracingMode('sdk');
}

/** Flushes and stops tracing: the last spans of a stopping service still reach the collector. */
export async function shutdownTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
