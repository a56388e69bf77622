import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'undici';

/**
 * The baseline for the gateway: a plain Fastify reverse proxy over an undici pool, with no auth,
 * rate limits, validation or telemetry. The gap between it and the gateway is what those cost.
 */
export async function startBareProxy(upstream: string, port: number): Promise<FastifyInstance> {
  const pool = new Pool(upstream, { connections: 64 });
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.all('/*', async (request, reply) => {
    const { host: _host, connection: _connection, ...headers } = request.headers;
    const response = await pool.request({ method: request.method as 'GET', path: request.url, headers, body: Buffer.isBuffer(request.body) ? request.body : undefined });
    reply.status(response.statusCode).header('content-type', response.headers['content-type'] ?? 'application/json');
    return reply.send(response.body);
  });
  app.addHook('onClose', async () => pool.close());
  await app.listen({ port, host: '127.0.0.1' });
  return app;
}

/** The bare proxy in a process of its own (bare-proxy.process.ts), as the gateway runs, so that its CPU can be read like the gateway's. */
export function forkBareProxy(upstream: string, port: number): Promise<{ pid: number; close: () => Promise<void> }> {
  const child: ChildProcess = fork(join(REPO_ROOT, 'tools', 'bench', 'src', 'bare-proxy.process.ts'), [upstream, String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ pid: child.pid ?? 0, close: () => (child.kill('SIGTERM'), exited) }));
    child.once('exit', (code) => reject(new Error(`the bare proxy exited with ${code}`)));
  });
}
