// First import of main.ts: tracing must be running before anything it instruments is loaded.
import { startTracing } from '@platform/observability/tracing';
import { GATEWAY } from './service';

startTracing({ serviceName: GATEWAY.name });
