import { ConfigError, loadConfig } from '@platform/config';
import { TelemetryConfig } from '../telemetry.config';
import { setTracingMode, startTraceIds, tracingMode } from './trace-ids';

let sdk: { shutdown(): Promise<void> } | undefined;

export interface TracingOptions {
  serviceName: string;
  /**
   * The Nest instrumentation's two spans per request (controller, handler); on by default. Off for
   * a service whose handlers only forward (the gateway), where they tell nothing the server and
   * client spans do not, at ~15 % of its throughput.
   */
  nestSpans?: boolean;
}

/**
 * Starts tracing (see TracingMode). Must run before anything it instruments is loaded: it is the
 * first import of every service's main.ts (apps/<service>/src/tracing.ts).
 *
 * With an OTLP endpoint, the OpenTelemetry Node SDK exports following the standard OTEL_* variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, …_PROTOCOL, OTEL_TRACES_SAMPLER, …). Without one nothing is
 * recorded and the SDK is not started, yet every request and event still runs in a W3C trace
 * context whose id its logs, problem details, outgoing calls and events carry.
 */
export function startTracing(options: TracingOptions): void {
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
    // Nothing to export: trace ids and propagation without the SDK, which would cost every request
    // the recording of spans nobody receives.
    startTraceIds();
    return;
  }
  // Required here, not imported: a process that exports nothing never loads the SDK, its
  // exporters and instrumentations (memory and start-up time).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  sdk = startSdk(settings, options);
  setTracingMode('sdk');
}

/** Flushes and stops tracing: the last spans of a stopping service still reach the collector. */
export async function shutdownTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
