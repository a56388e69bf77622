import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long, and how many bytes, a refused upload is still read (and discarded) before the socket closes. */
export const LINGER = { ms: 5_000, maxBytes: (bodyLimit: number) => Math.max(16 * 1_048_576, 10 * bodyLimit) } as const;

const lingering = new WeakSet<Socket>();

/**
 * Lingering close (RFC 9112 §9.6): when Fastify refuses a body before reading all of it (413, or a
 * body that failed to parse), it answers with `Connection: close` and Node destroys the socket once
 * the answer is written. Bytes the client is still uploading then meet a closed socket, the kernel
 * answers them with a reset, and the client sees ECONNRESET/EPIPE instead of the 413 it was sent.
 * Here the socket instead half-closes (FIN after the answer) and keeps reading and discarding the
 * rest of the upload, for a bounded time and number of bytes, before it is destroyed.
 */
function lingerBeforeClosing(socket: Socket, maxBytes: number): void {
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  const readBefore = socket.bytesRead;
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    if (this.writable) this.end();
    const stop = () => this.destroy();
    const timer = setTimeout(stop, LINGER.ms);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', stop);
    this.on('data', () => {
      if (this.bytesRead - readBefore > maxBytes) stop();
    });
    // Node's HTTP parser keeps consuming the socket and discards the request body (req._dump()).
    this.resume();
  };
}

/**
 * Makes refused uploads readable by the client, in every service and the gateway:
 * - a refused body gets its 413 (or 400) answer before the connection closes (lingering close);
 * - `Expect: 100-continue` with a Content-Length over the limit is answered 413 at once, without
 *   inviting the body (no `100 Continue`).
 */
export function answerOversizeBodiesReadably(fastify: FastifyInstance, bodyLimit: number): void {
  const maxBytes = LINGER.maxBytes(bodyLimit);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const connection = reply.getHeader('connection');
    if (!request.raw.complete && typeof connection === 'string' && connection.toLowerCase() === 'close') {
      lingerBeforeClosing(request.raw.socket, maxBytes);
    }
    done(null, payload);
  });
  const server = fastify.server;
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const length = Number(request.headers['content-length']);
    // Too large: no invitation; Fastify answers 413 from the Content-Length before reading anything.
    if (!(length > bodyLimit)) response.writeContinue();
    server.emit('request', request, response);
  });
}
