import underPressure from '@fastify/under-pressure';
import { counter, gauge, histogram } from '@platform/observability';
import { buildProblem, REQUEST_ID_HEADER, sendProblem } from '@platform/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { AdaptiveLimit } from './adaptive-limit';
import { queuedMs } from './request-start';

/** API requests only: probes, metrics and the docs are never shed; live streams have their own per-user limit. */
const ADMITTED_PATHS = /^\/api\//;
const STREAM_PATH = /^\/api\/v1\/notifications\/stream\/?(\?|$)/;

export interface AdmissionLimits {
  /** API requests this replica works on at once, at most (the adaptive limit's ceiling). */
  maxInFlight: number;
  /** Answers slower than this bring the limit down (AdaptiveLimit). */
  targetLatencyMs: number;
  /** Mean event-loop delay (ms, over a second) past which the replica sheds: it is hopelessly short of CPU. */
  maxEventLoopDelayMs: number;
  /** Milliseconds a request may have waited since the edge stamped it (`X-Request-Start`) and still be admitted; 0: not checked. */
  maxQueueMs: number;
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
 * - concurrency: requests in hand, at most an adaptive limit (AdaptiveLimit: `maxInFlight` while
 *   answers come within `targetLatencyMs`, less as they slow down), so the admitted requests'
 *   latency stays bounded whatever the throughput (Little's law: in hand / throughput);
 * - queue time before the process: how long the request waited since the edge received it (the
 *   edge's `X-Request-Start` stamp). A replica short of CPU reads its sockets late: requests wait in
 *   the kernel's accept queue and socket buffers, where no count of the replica's own sees them
 *   (the rehearsal's overload measured 0.3–2.5 s there with the concurrency limit never reached).
 *   Answering those 503 costs far less than serving them, so the queue drains;
 * - queue time in the process: the event loop's mean delay over a second (@fastify/under-pressure),
 *   which grows when the replica is so short of CPU that requests wait to be read at all.
 */
export async function admitWithinCapacity(fastify: FastifyInstance, limits: AdmissionLimits): Promise<void> {
  let inFlight = 0;
  const limit = new AdaptiveLimit({ min: Math.min(8, limits.maxInFlight), max: limits.maxInFlight, targetLatencyMs: limits.targetLatencyMs });
  const shed = counter('gateway_requests_shed_total', 'API requests answered 503 at once by admission control, by reason.', ['reason']);
  gauge('gateway_requests_in_flight', 'API requests this replica is working on (admission control counts these).', [], (metric) => metric.set(inFlight));
  gauge('gateway_admission_limit', 'API requests this replica admits at once now (the adaptive limit).', [], (metric) => metric.set(limit.current));
  const queueSeconds = histogram('gateway_request_queue_seconds', 'How long API requests waited between the edge (X-Request-Start) and this replica.', [], [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5]);
  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: 'concurrency' | 'queue-time' | 'event-loop-delay') => {
    shed.inc({ reason });
    const problem = buildProblem(503, 'The gateway is at capacity; retry after the time in Retry-After.', (request.raw.url ?? '').split('?')[0], { code: 'GATEWAY.OVERLOADED' });
    problem.requestId = String(request.id);
    void reply.header(REQUEST_ID_HEADER, request.id).header('retry-after', '1');
    sendProblem(reply, problem);
  };

  const counted = new WeakSet<FastifyRequest>();
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isAdmissible(request)) return done();
    const queued = queuedMs(request.headers['x-request-start'], Date.now());
    if (queued !== undefined) {
      queueSeconds.observe(queued / 1000);
      if (limits.maxQueueMs > 0 && queued > limits.maxQueueMs) return refuse(request, reply, 'queue-time');
    }
    if (inFlight >= limit.current) return refuse(request, reply, 'concurrency');
    inFlight++;
    counted.add(request);
    const started = performance.now();
    // 'close' fires once whether the answer was sent or the client went away first.
    reply.raw.once('close', () => {
      if (!counted.delete(request)) return;
      limit.answered(performance.now() - started, inFlight);
      inFlight--;
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
