import './tracing';
import { bootstrapService } from '@platform/service-kit';
import { AppModule } from './app.module';
import { GatewayConfig } from './config/gateway.config';
import { serveApiDocs } from './docs/openapi';
import { acceptRawJsonBodies } from './proxy/raw-body';

void bootstrapService({
  name: 'gateway',
  module: AppModule,
  config: GatewayConfig,
  bodyParser: false,
  beforeListen: (app, config) => {
    acceptRawJsonBodies(app);
    serveApiDocs(app, config.SERVICE_VERSION);
  },
});
