import { createServer, type Server } from 'node:http';

/**
 * An OTLP/HTTP endpoint that accepts every export and keeps nothing: the gateway pays for recording
 * and exporting spans, and the benchmark for nothing else.
 */
export async function startTraceSink(port: number): Promise<{ url: string; exports: () => number; close: () => Promise<void> }> {
  let exports = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      exports++;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, exports: () => exports, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
