import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { traceLogFields } from '../logging/trace-context';
import { setTracingMode, startTraceIds, traceIncomingRequests, traceOutgoingCall } from './trace-ids';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const CALL = { method: 'GET', origin: 'http://order-service:3002', path: '/api/v1/orders/1?fields=id' };

/** What a request handler of a server sees: its log fields and the trace headers it would forward. */
async function seenBy(server: Server, headers: Record<string, string>, path = '/'): Promise<{ log: Record<string, string>; forwarded: Record<string, string> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', headers, path }, (response) => {
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

function aServer(status = 200): Server {
  const server = createServer((request, response) => {
    response.statusCode = status;
    // Asynchronously, as a real handler would answer: the context must survive the await.
    void Promise.resolve().then(() => response.end(JSON.stringify({ log: traceLogFields(), forwarded: traceOutgoingCall(request.headers, CALL).headers })));
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

  it('passes the caller\'s trace headers through untouched with tracing off', () => {
    setTracingMode('off');
    expect(traceOutgoingCall({ traceparent: TRACEPARENT, baggage: 'a=1', host: 'x' }, CALL).headers).toEqual({ traceparent: TRACEPARENT, baggage: 'a=1' });
    setTracingMode('ids');
  });
});

describe('HTTP server spans with the SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  beforeAll(() => {
    startTraceIds();
    trace.setGlobalTracerProvider(provider);
    setTracingMode('sdk');
  });
  afterAll(async () => {
    setTracingMode('off');
    trace.disable();
    await provider.shutdown();
  });
  beforeEach(() => exporter.reset());

  /** The spans ended so far (a span ends when its response closes, just after the client has read it). */
  const finished = async (count: number) => {
    for (let tries = 0; exporter.getFinishedSpans().length < count && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    return exporter.getFinishedSpans();
  };

  it('records one server span per request, a child of the caller\'s, in whose context the handler runs', async () => {
    const { log } = await seenBy(aServer(), { traceparent: TRACEPARENT, 'user-agent': 'jest', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
    const [span] = await finished(1);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.name).toBe('GET');
    expect(span.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(log).toEqual({ trace_id: CALLER_TRACE, span_id: span.spanContext().spanId, trace_flags: '01' });
    expect(span.attributes).toEqual(
      expect.objectContaining({ 'http.request.method': 'GET', 'url.scheme': 'http', 'url.path': '/', 'server.address': '127.0.0.1', 'client.address': '203.0.113.7', 'user_agent.original': 'jest', 'http.response.status_code': 200 }),
    );
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a client span per outgoing call, a child of the request\'s, that goes out as the parent', async () => {
    const server = createServer((request, response) => {
      const first = traceOutgoingCall(request.headers, CALL);
      const retry = traceOutgoingCall(request.headers, { ...CALL, resendCount: 1 });
      first.end({ error: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
      retry.end({ status: 404 });
      response.end(JSON.stringify({ log: traceLogFields(), forwarded: retry.headers }));
    });
    traceIncomingRequests(server);
    const { log, forwarded } = await seenBy(server, { traceparent: TRACEPARENT });
    const spans = await finished(3);
    const [failed, retried] = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(failed.parentSpanContext?.spanId).toBe(log['span_id']);
    expect(forwarded).toEqual({ traceparent: `00-${CALLER_TRACE}-${retried.spanContext().spanId}-01` });
    expect(failed.attributes).toEqual({ 'http.request.method': 'GET', 'server.address': 'order-service', 'server.port': 3002, 'url.full': 'http://order-service:3002/api/v1/orders/1', 'error.type': 'ECONNREFUSED' });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(retried.attributes).toEqual(expect.objectContaining({ 'http.request.resend_count': 1, 'http.response.status_code': 404 }));
    expect(retried.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a 5xx answer as an error', async () => {
    await seenBy(aServer(503), {});
    const [span] = await finished(1);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.attributes).toEqual(expect.objectContaining({ 'http.response.status_code': 503, 'error.type': '503' }));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records no span for probes and scrapes, and none for their queries', async () => {
    // A handler that queries something, as a readiness probe does.
    const querying = () => {
      const server = createServer((_request, response) => {
        trace.getTracer('pg').startSpan('SELECT 1').end();
        response.end(JSON.stringify({ log: traceLogFields(), forwarded: {} }));
      });
      traceIncomingRequests(server);
      return server;
    };
    const { log } = await seenBy(querying(), {}, '/health/ready');
    await seenBy(querying(), {}, '/metrics');
    await seenBy(querying(), {}, '/api/v1/orders?page=2');
    await finished(2);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual(['GET', 'SELECT 1']);
    expect(spans.find((span) => span.name === 'GET')?.attributes['url.path']).toBe('/api/v1/orders');
    expect(log).toEqual({});
  });
});
