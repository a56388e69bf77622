import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, scrape, scrapeFamilies, sumOf } from '@platform/local-platform';
import { eventually, registerUser, SpanKind, TestPlatform, type ReceivedSpan } from '@platform/testing';

const SERVICES = ['gateway', 'user-service', 'order-service', 'notification-service'] as const;

describe('observability: one trace per request, metrics, correlated logs', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('observability', { tracing: true });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  /** The trace a gateway request started: found through the gateway's server span for the route. */
  async function traceOf(route: string, requestId: string): Promise<string> {
    return eventually(() => {
      const root = platform.otlp!.spans.find((span) => span.service === 'gateway' && span.kind === SpanKind.SERVER && span.attributes['http.route'] === route && span.parentSpanId === undefined);
      expect(root).toBeDefined();
      const [logged] = platform.requestLog('gateway', requestId);
      expect(logged).toBeDefined();
      return logged.trace_id as string;
    }, 10_000);
  }

  function expectOneTree(spans: ReceivedSpan[]) {
    const ids = new Set(spans.map((span) => span.spanId));
    const roots = spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
    expect(roots.map((span) => `${span.service}: ${span.name}`)).toEqual([expect.stringMatching(/^gateway: POST \/api\/v1\//)]);
    expect(roots[0].kind).toBe(SpanKind.SERVER);
  }

  const has = (spans: ReceivedSpan[], service: string, predicate: (span: ReceivedSpan) => boolean) => spans.some((span) => span.service === service && predicate(span));
  const isInsertInto = (table: string) => (span: ReceivedSpan) => span.attributes['db.system.name'] === 'postgresql' || span.attributes['db.system'] === 'postgresql' ? /INSERT INTO/i.test(String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? '')) && String(span.attributes['db.query.text'] ?? span.attributes['db.statement']).includes(table) : false;

  /**
   * The spans of a trace, once they reach notification-service's INSERT of the notification and
   * every span's parent has arrived too (a consumer's span ends, and is exported, after the queries
   * it contains).
   */
  function spansThroughTheNotificationInsert(traceId: string): Promise<ReceivedSpan[]> {
    return eventually(() => {
      const trace = platform.otlp!.trace(traceId);
      expect(has(trace, 'notification-service', isInsertInto('notifications'))).toBe(true);
      expectOneTree(trace);
      return trace;
    }, 20_000, 200);
  }

  it('follows a registration from the gateway through Kafka to the welcome notification insert, as one tree', async () => {
    const response = await platform.api.post('/auth/register', { email: `traced-${Date.now()}@e2e.example.com`, password: 'password-123', displayName: 'Traced' });
    expect(response.status).toBe(201);
    const traceId = await traceOf('/api/v1/auth/register', response.headers.get('x-request-id')!);

    await spansThroughTheNotificationInsert(traceId);
    // order-service consumes the same event in parallel; its spans may be exported a moment later.
    const spans = await eventually(() => {
      const trace = platform.otlp!.trace(traceId);
      expect(new Set(trace.map((span) => span.service))).toEqual(new Set(SERVICES));
      return trace;
    }, 20_000, 200);

    expectOneTree(spans);
    // gateway SERVER span → its CLIENT call → user-service's SERVER span, with HTTP's semantic attributes.
    const gateway = spans.find((span) => span.service === 'gateway' && span.kind === SpanKind.SERVER)!;
    const call = spans.find((span) => span.service === 'gateway' && span.kind === SpanKind.CLIENT)!;
    const served = spans.find((span) => span.service === 'user-service' && span.kind === SpanKind.SERVER)!;
    expect(gateway.attributes).toEqual(expect.objectContaining({ 'http.request.method': 'POST', 'http.route': '/api/v1/auth/register', 'http.response.status_code': 201 }));
    expect(call).toEqual(expect.objectContaining({ parentSpanId: gateway.spanId, attributes: expect.objectContaining({ 'http.request.method': 'POST', 'url.full': expect.stringMatching(/\/api\/v1\/auth\/register$/), 'http.response.status_code': 201 }) }));
    expect(served).toEqual(expect.objectContaining({ parentSpanId: call.spanId, name: 'POST /api/v1/auth/register' }));
    expect(has(spans, 'user-service', isInsertInto('users'))).toBe(true);
    expect(has(spans, 'user-service', (span) => span.kind === SpanKind.PRODUCER && span.attributes['messaging.destination.name'] === 'platform.users' && span.attributes['messaging.system'] === 'kafka')).toBe(true);
    const consumer = spans.find((span) => span.service === 'notification-service' && span.kind === SpanKind.CONSUMER)!;
    const producer = spans.find((span) => span.spanId === consumer.parentSpanId)!;
    expect(producer).toEqual(expect.objectContaining({ service: 'user-service', kind: SpanKind.PRODUCER }));
    expect(consumer.attributes['messaging.destination.name']).toBe('platform.users');
  });

  it('follows an order through its creation and decision, the relay and Kafka into notification-service, as one tree', async () => {
    const user = await registerUser(platform.api);
    await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);
    const response = await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'TRACE-1', quantity: 1, unitPrice: 500 }] }, { token: user.accessToken });
    expect(response.status).toBe(201);
    const traceId = await traceOf('/api/v1/orders', response.headers.get('x-request-id')!);

    const spans = await spansThroughTheNotificationInsert(traceId);

    expectOneTree(spans);
    const producers = spans.filter((span) => span.kind === SpanKind.PRODUCER).map((span) => `${span.service} → ${span.attributes['messaging.destination.name']}`);
    expect(producers).toEqual(['order-service → platform.orders', 'order-service → platform.orders']); // order.created, order.confirmed
    // Only notification-service reads platform.orders (order-service decided the order where it created
    // it): it sees both events and ignores order.created, which it has no handler for.
    const consumers = spans.filter((span) => span.kind === SpanKind.CONSUMER).map((span) => `${span.service} ${span.attributes['platform.event.type']}`).sort();
    expect(consumers).toEqual(['notification-service order.confirmed', 'notification-service order.created']);
    expect(has(spans, 'order-service', isInsertInto('orders'))).toBe(true);
    // The log lines of the request carry the trace id of its spans, in every service it touched.
    for (const service of ['gateway', 'order-service'] as const) {
      const lines = platform.requestLog(service, response.headers.get('x-request-id')!);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.trace_id).toBe(traceId);
    }
  });

  it("keeps each order's confirmation in the trace of its own request when many are placed at once", async () => {
    const user = await registerUser(platform.api);
    const anOrder = { currency: 'EUR', items: [{ sku: 'TRACE-MANY', quantity: 1, unitPrice: 100 }] };
    await eventually(async () => expect(await platform.queryAs('order-service', 'SELECT 1 FROM customers WHERE user_id = $1', [user.id])).toHaveLength(1), 20_000);

    // 40 at once, each decided in its own request's transaction, whose trace its events carry.
    const responses = await Promise.all(Array.from({ length: 40 }, () => platform.api.post('/orders', anOrder, { token: user.accessToken })));
    for (const response of responses) {
      expect(response.status).toBe(201);
      const [logged] = await eventually(() => {
        const lines = platform.requestLog('gateway', response.headers.get('x-request-id')!);
        expect(lines.length).toBeGreaterThan(0);
        return lines;
      }, 10_000);
      const spans = await spansThroughTheNotificationInsert(logged.trace_id as string);
      // Both of its events, order.created and order.confirmed, and no other order's.
      const sent = spans.filter((span) => span.kind === SpanKind.PRODUCER).map((span) => span.attributes['messaging.kafka.message.key']);
      expect(sent).toEqual([response.body.id, response.body.id]);
    }
  });

  it('serves Prometheus metrics whose values follow the traffic', async () => {
    const user = await registerUser(platform.api);
    const ordersCreated = async () => sumOf(await scrape(platform.managementUrl('order-service')), 'http_server_request_duration_seconds_count', { route: '/api/v1/orders', method: 'POST', status_code: '201' });
    const before = await ordersCreated();
    for (let i = 0; i < 3; i++) await platform.api.post('/orders', { currency: 'EUR', items: [{ sku: 'M-1', quantity: 1, unitPrice: 100 }] }, { token: user.accessToken });
    expect(await ordersCreated()).toBe(before + 3);

    const partitions = await platform.kafka.partitionsOf('platform.orders', 'platform.users');
    await eventually(async () => {
      const notification = await scrape(platform.managementUrl('notification-service'));
      expect(sumOf(notification, 'events_handled_total', { consumer_group: 'notification-service', event_type: 'order.confirmed', outcome: 'handled' })).toBeGreaterThanOrEqual(3);
      const lag = notification.filter((sample) => sample.name === 'kafka_consumer_lag' && sample.labels['consumer_group'] === 'notification-service');
      // One lag series per partition it reads, all at zero.
      expect(lag.map((sample) => `${sample.labels['topic']}:${sample.labels['partition']}`).sort()).toEqual(partitions);
      expect(lag.every((sample) => sample.value === 0)).toBe(true);
      const order = await scrape(platform.managementUrl('order-service'));
      expect(sumOf(order, 'outbox_backlog_rows')).toBe(0);
      expect(sumOf(order, 'outbox_oldest_unsent_age_seconds')).toBe(0);
      expect(sumOf(order, 'outbox_published_total', { event_type: 'order.confirmed' })).toBeGreaterThanOrEqual(3);
    }, 20_000, 500);

    await platform.kafka.produce('platform.orders', [{ key: 'x', value: '{not json', headers: { ce_specversion: '1.0', ce_id: `poison-${Date.now()}`, ce_source: '/e2e', ce_type: 'order.shipped' } }]);
    await eventually(async () => {
      const notification = await scrape(platform.managementUrl('notification-service'));
      expect(sumOf(notification, 'events_dead_lettered_total', { consumer_group: 'notification-service', reason: 'malformed-json', event_type: 'order.shipped' })).toBe(1);
    }, 20_000, 500);

    for (const service of SERVICES) {
      const samples = await scrape(platform.managementUrl(service));
      for (const family of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'http_server_request_duration_seconds_bucket']) {
        expect({ service, family, present: samples.some((sample) => sample.name === family) }).toEqual({ service, family, present: true });
      }
      expect(samples.find((sample) => sample.name === 'process_cpu_seconds_total')?.labels['service']).toBe(service);
    }
  });

  it('serves metrics and the detailed health on the management port only, and no API there', async () => {
    for (const service of SERVICES) {
      const statuses = {
        service,
        metricsOnClientPort: (await fetch(`${platform.url(service)}/metrics`)).status,
        metricsOnManagementPort: (await fetch(`${platform.managementUrl(service)}/metrics`)).status,
        readyOnClientPort: (await fetch(`${platform.url(service)}/health/ready`)).status,
        readyOnManagementPort: (await fetch(`${platform.managementUrl(service)}/health/ready`)).status,
        apiOnManagementPort: (await fetch(`${platform.managementUrl(service)}/api/v1/users/me`)).status,
      };
      expect(statuses).toEqual({ service, metricsOnClientPort: 404, metricsOnManagementPort: 200, readyOnClientPort: 200, readyOnManagementPort: 200, apiOnManagementPort: 404 });
    }
    const details = {
      gateway: ['shutdown', 'upstreams'],
      'user-service': ['shutdown', 'database', 'kafka', 'outbox'],
      'order-service': ['shutdown', 'database', 'kafka', 'outbox', 'consumer'],
      'notification-service': ['shutdown', 'database', 'kafka', 'consumer'],
    };
    for (const service of SERVICES) {
      expect((await fetch(`${platform.url(service)}/health`)).status).toBe(404);
      const health = (await (await fetch(`${platform.managementUrl(service)}/health`)).json()) as { status: string; details: Record<string, { status: string }> };
      expect({ service, status: health.status, checks: Object.keys(health.details).sort() }).toEqual({ service, status: 'ok', checks: [...details[service]].sort() });
    }
  });

  it('has every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'k8s', 'monitoring', 'dashboards', 'platform-dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((panel) => panel.targets ?? []).flatMap((target) => [...target.expr.matchAll(/\b([a-z_]+_(?:total|seconds|bytes|rows|lag|state|bucket|count|sum))\b/g)].map((match) => match[1])));
    const exposed = new Set((await Promise.all(SERVICES.map((service) => scrapeFamilies(platform.managementUrl(service))))).flatMap((families) => [...families]));

    expect(queried.size).toBeGreaterThan(8);
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
