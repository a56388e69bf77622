// First import of main.ts: tracing must be running before anything it instruments is loaded.
import { startTracing } from '@platform/observability/tracing';
import { USER_SERVICE } from './service';

startTracing({ serviceName: USER_SERVICE.name });
