import underPressure from '@fastify/under-pressure';
import { counter, gauge } from '@platform/observability';
import { buildProblem, REQUEST_ID_HEADER, sendProblem } from '@platform/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** API requests only: probes, metrics and the docs are never shed; live streams have their own per-user limit. */
const ADMITTED_PATHS = /^\/api\//;
const STREAM_PATH = /^\/api\/v1\/notifications\/stream\/?(\?|$)/;

export interface AdmissionLimits {
  /** API requests this replica works on at once. */
  maxInFlight: number;
  /** Mean event-loop delay (ms, over a second) past which the replica sheds: it is hopelessly short of CPU. */
  maxEventLoopDelayMs: number;
}

const isAdmissible = (request: FastifyRequest) => {
  const url = request.raw.url ?? '';
  return ADMITTED_PATHS.test(url) && !STREAM_PATH.test(url);
};

/**
 * Admission control. Past its capacity a process would queue everything and answer everything
 * late; instead the excess is answered at once with 503 `GATEWAY.OVERLOADED` and `Retry-After`,
 * before authentication, rate limits or any upstream call, so it costs little. Two signals of a
 * queue building up, neither a fixed rate:
 * - concurrency: at most `maxInFlight` API requests in hand (requests waiting on a slow upstream
 *   pile up here; bounding them bounds the admitted requests' latency, by Little's law);
 * - queue time in the process: the event loop's mean delay over a second (@fastify/under-pressure),
 *   which grows when the replica is so short of CPU that requests wait to be read at all.
 */
export async function admitWithinCapacity(fastify: FastifyInstance, limits: AdmissionLimits): Promise<void> {
  let inFlight = 0;
  const shed = counter('gateway_requests_shed_total', 'API requests answered 503 at once by admission control, by reason.', ['reason']);
  gauge('gateway_requests_in_flight', 'API requests this replica is working on (admission control counts these).', [], (metric) => metric.set(inFlight));
  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: 'concurrency' | 'event-loop-delay') => {
    shed.inc({ reason });
    const problem = buildProblem(503, 'The gateway is at capacity; retry after the time in Retry-After.', (request.raw.url ?? '').split('?')[0], { code: 'GATEWAY.OVERLOADED' });
    problem.requestId = String(request.id);
    void reply.header(REQUEST_ID_HEADER, request.id).header('retry-after', '1');
    sendProblem(reply, problem);
  };

  const counted = new WeakSet<FastifyRequest>();
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isAdmissible(request)) return done();
    if (inFlight >= limits.maxInFlight) return refuse(request, reply, 'concurrency');
    inFlight++;
    counted.add(request);
    // 'close' fires once whether the answer was sent or the client went away first.
    reply.raw.once('close', () => {
      if (counted.delete(request)) inFlight--;
    });
    done();
  });

  await fastify.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs,
    // A second: a replica starting beside it, a GC, a busy neighbour on a shared node lag the loop
    // for a moment without overloading it.
    sampleInterval: 1_000,
    // Returning nothing lets the request through: probes, metrics and streams always pass.
    pressureHandler: (request, reply) => {
      if (isAdmissible(request) && !reply.sent) refuse(request, reply, 'event-loop-delay');
    },
  });
}
