import './tracing';
import { TelemetryConfig } from '@platform/observability';
import { bootstrapService } from '@platform/service-kit';
import { admitWithinCapacity } from './admission/admission-control';
import { AppModule } from './app.module';
import { GATEWAY_SETTINGS, GatewayConfig } from './config/gateway.config';
import { serveApiDocs } from './docs/openapi';
import { acceptRawJsonBodies } from './proxy/raw-body';
import { GATEWAY } from './service';

void bootstrapService({
  service: GATEWAY,
  module: AppModule,
  config: GatewayConfig,
  settings: GATEWAY_SETTINGS,
  bodyParser: false,
  beforeListen: async (app, config) => {
    await admitWithinCapacity(app.getHttpAdapter().getInstance(), { maxInFlight: config.ADMISSION_MAX_IN_FLIGHT, maxEventLoopDelayMs: config.ADMISSION_MAX_EVENT_LOOP_DELAY_MS });
    acceptRawJsonBodies(app);
    serveApiDocs(app, app.get(TelemetryConfig).SERVICE_VERSION);
  },
});
