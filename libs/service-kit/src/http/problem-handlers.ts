import type { FastifyInstance } from 'fastify';
import { buildProblem } from '../problem/problem-details';
import { sendProblem, toProblem } from '../problem/problem-details.filter';

/**
 * Problem+json for what fails before a Nest route runs: unparsable or oversized bodies,
 * unsupported content types, and unknown routes.
 */
export function installProblemHandlers(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error, request, reply) => {
    const { problem, unexpected } = toProblem(error, request.url.split('?')[0]);
    problem.requestId = String(request.id);
    if (unexpected) request.log.error({ err: error }, 'unhandled error');
    sendProblem(reply, problem);
  });
  fastify.setNotFoundHandler((request, reply) => {
    const problem = buildProblem(404, `No route for ${request.method} ${request.url.split('?')[0]}.`, request.url.split('?')[0], {
      requestId: String(request.id),
    });
    sendProblem(reply, problem);
  });
}
