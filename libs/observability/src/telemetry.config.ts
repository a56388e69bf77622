import { BooleanFlag } from '@platform/config';
import { IsBoolean, IsIn, IsOptional, IsString, IsUrl } from 'class-validator';

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const otlpUrl = () => IsUrl({ require_tld: false, protocols: ['http', 'https'] });

/**
 * Logs, traces and the identity they carry. The OTEL_* names are the OpenTelemetry standard ones;
 * the SDK itself reads the rest of them (protocol, headers, sampler, batch settings).
 */
export class TelemetryConfig {
  @IsIn(LogLevels)
  LOG_LEVEL: (typeof LogLevels)[number] = 'info';

  /** `pretty` prints human-readable lines; the default `json` writes one JSON object per line. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /** Set by the image build (and by the local runner from the app's package.json). */
  @IsString()
  SERVICE_VERSION = '0.0.0-dev';

  /** `deployment.environment.name` on every span. */
  @IsString()
  DEPLOYMENT_ENVIRONMENT = 'development';

  @BooleanFlag()
  @IsBoolean()
  OTEL_SDK_DISABLED: boolean = false;

  /** Where spans go (OTLP); without it (or its traces-only form) nothing is exported. */
  @IsOptional()
  @otlpUrl()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional()
  @otlpUrl()
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** `none` turns export off even with an endpoint. */
  @IsOptional()
  @IsString()
  OTEL_TRACES_EXPORTER?: string;

  /** Overrides the service's own name on its spans. */
  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  /** An OTLP endpoint is configured and export is not turned off. */
  get exportsTraces(): boolean {
    return Boolean(this.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || this.OTEL_EXPORTER_OTLP_ENDPOINT) && this.OTEL_TRACES_EXPORTER !== 'none';
  }
}
