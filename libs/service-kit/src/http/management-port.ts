import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createServer, type Server } from 'node:net';
import { buildProblem } from '../problem/problem-details';
import { sendProblem } from '../problem/problem-details.filter';

/** Served on the management port only: Prometheus scrapes, the detailed health, and /debug/* diagnostics. */
const MANAGEMENT_ONLY = /^\/(metrics|health|debug\/[a-z-]+)\/?(\?|$)/;
/** Served on both ports: the probes. */
const PROBES = /^\/health\/(live|ready)\/?(\?|$)/;

function notHere(request: FastifyRequest, reply: FastifyReply): void {
  const problem = buildProblem(404, 'No such route on this port.', request.url.split('?')[0]);
  problem.requestId = String(request.id);
  sendProblem(reply, problem);
}

/**
 * A second listening port for operations, on the same HTTP server: connections accepted there are
 * handed to the app's server, and each request is routed by the port it arrived on. The client
 * port serves the API and the probes; the management port serves /metrics, the probes and (on the
 * gateway) /health, and nothing of the API. The ingress routes only the client port.
 */
export function serveManagementPort(fastify: FastifyInstance, port: number, host: string): { listen(): Promise<number>; close(): Promise<void> } {
  const listener: Server = createServer({ pauseOnConnect: false }, (socket) => fastify.server.emit('connection', socket));
  let managementPort: number | undefined;
  const isManagement = (request: FastifyRequest) => request.raw.socket.localPort === managementPort;
  fastify.addHook('onRequest', (request, reply, done) => {
    const url = request.raw.url ?? '';
    const management = isManagement(request);
    if (PROBES.test(url) || management === MANAGEMENT_ONLY.test(url)) return done();
    notHere(request, reply);
  });
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          managementPort = (listener.address() as { port: number }).port;
          resolve(managementPort);
        });
      }),
    close: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}
