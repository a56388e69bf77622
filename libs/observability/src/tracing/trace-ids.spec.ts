import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { traceLogFields } from '../logging/trace-context';
import { outgoingTraceHeaders, setTracingMode, startTraceIds, traceIncomingRequests } from './trace-ids';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

/** What a request handler of a server sees: its log fields and the trace headers it would forward. */
async function seenBy(server: Server, headers: Record<string, string>): Promise<{ log: Record<string, string>; forwarded: Record<string, string> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', headers }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(JSON.parse(body)));
      })
        .on('error', reject)
        .end();
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function aServer(): Server {
  const server = createServer((request, response) => {
    // Asynchronously, as a real handler would answer: the context must survive the await.
    void Promise.resolve().then(() => response.end(JSON.stringify({ log: traceLogFields(), forwarded: outgoingTraceHeaders(request.headers) })));
  });
  traceIncomingRequests(server);
  return server;
}

describe('trace ids without the SDK', () => {
  beforeAll(() => startTraceIds());
  afterAll(() => setTracingMode('off'));

  it('runs a request in the caller\'s trace, as a new span whose id goes out as the parent', async () => {
    const { log, forwarded } = await seenBy(aServer(), { traceparent: TRACEPARENT, tracestate: 'vendor=1' });
    expect(log).toEqual({ trace_id: CALLER_TRACE, span_id: expect.stringMatching(/^[0-9a-f]{16}$/), trace_flags: '01' });
    expect(log['span_id']).not.toBe(CALLER_SPAN);
    expect(forwarded).toEqual({ traceparent: `00-${CALLER_TRACE}-${log['span_id']}-01`, tracestate: 'vendor=1' });
  });

  it('starts a new trace for a request without one (or with a malformed one)', async () => {
    const first = await seenBy(aServer(), {});
    const second = await seenBy(aServer(), { traceparent: 'garbage' });
    expect(first.log['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(second.log['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(second.log['trace_id']).not.toBe(first.log['trace_id']);
    expect(first.forwarded['traceparent']).toBe(`00-${first.log['trace_id']}-${first.log['span_id']}-00`);
  });

  it('passes the caller\'s trace headers through untouched with tracing off, and adds none with the SDK on', () => {
    setTracingMode('off');
    expect(outgoingTraceHeaders({ traceparent: TRACEPARENT, baggage: 'a=1', host: 'x' })).toEqual({ traceparent: TRACEPARENT, baggage: 'a=1' });
    setTracingMode('sdk');
    expect(outgoingTraceHeaders({ traceparent: TRACEPARENT })).toEqual({});
    setTracingMode('ids');
  });
});
