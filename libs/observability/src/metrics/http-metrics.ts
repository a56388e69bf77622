import type { FastifyInstance } from 'fastify';
import { histogram } from './metrics';

/** Latency buckets (seconds) from 5 ms to 10 s: RED dashboards read rate, errors and p50/p99 from it. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Records `http_server_request_duration_seconds{method,route,status_code}` for every response.
 * `route` is the route template (`/api/v1/orders/:id`), never the raw URL, to keep cardinality bounded.
 */
export function instrumentHttpMetrics(fastify: FastifyInstance): void {
  const duration = histogram('http_server_request_duration_seconds', 'Duration of HTTP requests handled by this service.', ['method', 'route', 'status_code'], HTTP_BUCKETS);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}
