// First import of main.ts: tracing must be running before anything it instruments is loaded.
import { startTracing } from '@platform/observability/tracing';
import { GATEWAY } from './service';

// Its handlers only forward: the request's server span and the call's client span say what Nest's
// controller and handler spans would, and those cost ~15 % of its throughput (`./platform bench`).
startTracing({ serviceName: GATEWAY.name, nestSpans: false });
