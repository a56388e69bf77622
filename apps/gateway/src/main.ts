import './tracing';
import { TelemetryConfig } from '@platform/observability';
import { bootstrapService } from '@platform/service-kit';
import { admitWithinCapacity } from './admission/admission-control';
import { AppModule } from './app.module';
import { allowBrowserOrigins } from './browser/cors';
import { sendSecurityHeaders } from './browser/security-headers';
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
    acceptRawJsonBodies(app);
    sendSecurityHeaders(app);
    await allowBrowserOrigins(app, config.CORS_ORIGINS);
    // After CORS: a shed request's 503 and its Retry-After are readable by a browser too.
    await admitWithinCapacity(app.getHttpAdapter().getInstance(), { maxInFlight: config.ADMISSION_MAX_IN_FLIGHT, targetLatencyMs: config.ADMISSION_TARGET_LATENCY_MS, maxEventLoopDelayMs: config.ADMISSION_MAX_EVENT_LOOP_DELAY_MS, maxQueueMs: config.ADMISSION_MAX_QUEUE_MS });
    serveApiDocs(app, app.get(TelemetryConfig).SERVICE_VERSION);
  },
});
