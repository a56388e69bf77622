// `./platform bench`: the figures of SPEC §9, measured side by side in one run on this machine.
// Prints a report; asserts nothing (speed is watched, not unit-tested).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, LocalPlatform, REPO_ROOT, scrape, SERVICE_NAMES, serviceDatabaseUrl, sleep, sumOf, type ServiceName } from '@platform/local-platform';
import { startBareProxy } from './bare-proxy.ts';

interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);

function load(options: { url: string; method?: string; headers?: Record<string, string>; body?: string; connections?: number; duration?: number; overallRate?: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...options }, (error: Error | null, result: LoadResult) => (error ? reject(error) : resolve(result)));
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

async function rss(url: string): Promise<number> {
  return sumOf(await scrape(url), 'process_resident_memory_bytes') / 1024 / 1024;
}

/** Outbox rows waiting in order-service plus messages notification-service has not consumed. */
async function backlog(orderService: string, notificationService: string): Promise<number> {
  const [orders, notifications] = await Promise.all([scrape(orderService), scrape(notificationService)]);
  return sumOf(orders, 'outbox_backlog_rows') + sumOf(orders, 'kafka_consumer_lag') + sumOf(notifications, 'kafka_consumer_lag');
}

async function main(): Promise<void> {
  const work = join(REPO_ROOT, 'tmp', 'bench');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [kafka, controller, bare, ...servicePorts] = await Promise.all(Array.from({ length: 3 + 2 * SERVICE_NAMES.length }, () => freePort()));
  const ports = Object.fromEntries(SERVICE_NAMES.map((service, index) => [service, { http: servicePorts[2 * index], management: servicePorts[2 * index + 1] }])) as Record<ServiceName, { http: number; management: number }>;
  const database = {
    host: process.env['PGHOST'] ?? '127.0.0.1',
    port: Number(process.env['PGPORT'] ?? 5432),
    name: `bench_${Date.now().toString(36)}`,
    adminUser: process.env['PGUSER'] ?? 'postgres',
    passwords: { 'user-service': 'bench-user', 'order-service': 'bench-order', 'notification-service': 'bench-notification' },
  };
  const quiet = { LOG_LEVEL: 'warn', RATE_LIMIT_PER_USER: '100000000', RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_LOGIN_PER_IP: '100000000' };
  console.log('starting the platform (own database and Kafka broker)…');
  const started = Date.now();
  const platform = await LocalPlatform.start({
    ports,
    database,
    kafka: { start: { port: kafka, controllerPort: controller, dataDir: join(work, 'kafka'), heapMb: 768 } },
    output: work,
    extraEnv: Object.fromEntries(SERVICE_NAMES.map((service) => [service, quiet])),
    dropDatabaseOnStop: true,
  });
  const proxy = await startBareProxy(platform.url('order-service'), bare);
  try {
    const report: string[] = [`platform up in ${((Date.now() - started) / 1000).toFixed(1)} s (Kafka formatted, migrations applied)`];
    const idle = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (service) => [service, await rss(platform.managementUrl(service))] as const)));

    const api = `${platform.url('gateway')}/api/v1`;
    const email = `bench-${Date.now()}@bench.example.com`;
    const json = { 'content-type': 'application/json' };
    await fetch(`${api}/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'bench-password', displayName: 'Bench' }) });
    const { accessToken } = (await (await fetch(`${api}/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'bench-password' }) })).json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const orderBody = JSON.stringify({ currency: 'EUR', items: [{ sku: 'BENCH-1', quantity: 2, unitPrice: 1999 }] });
    const { id } = (await (await fetch(`${api}/orders`, { method: 'POST', headers: { ...auth, ...json }, body: orderBody })).json()) as { id: string };
    const read = `/api/v1/orders/${id}`;

    // 1. Gateway overhead on an authenticated read.
    const direct = await load({ url: `${platform.url('order-service')}${read}`, headers: auth });
    const viaBare = await load({ url: `http://127.0.0.1:${bare}${read}`, headers: auth });
    const viaGateway = await load({ url: `${platform.url('gateway')}${read}`, headers: auth });
    report.push('', `authenticated read, GET /orders/:id, ${CONNECTIONS} connections, ${DURATION} s each`);
    report.push('  path                      req/s     p50 ms   p99 ms   non-2xx');
    for (const [name, result] of [['direct to order-service', direct], ['bare Fastify proxy', viaBare], ['gateway', viaGateway]] as const) {
      report.push(`  ${name.padEnd(24)} ${fmt(result.requests.average, 0).padStart(7)} ${fmt(result.latency.p50).padStart(9)} ${fmt(result.latency.p99).padStart(8)} ${String(result.non2xx + result.errors).padStart(9)}`);
    }
    report.push(`  gateway throughput: ${fmt((viaGateway.requests.average / direct.requests.average) * 100, 0)} % of direct, ${fmt((viaGateway.requests.average / viaBare.requests.average) * 100, 0)} % of the bare proxy`);
    report.push(`  gateway added latency: p50 +${fmt(viaGateway.latency.p50 - direct.latency.p50)} ms, p99 +${fmt(viaGateway.latency.p99 - direct.latency.p99)} ms over direct`);

    // 2. Write path.
    const writes = await load({ url: `${api}/orders`, method: 'POST', headers: { ...auth, ...json }, body: orderBody });
    report.push('', `write path, POST /orders through the gateway: ${fmt(writes.requests.average, 0)} orders/s, p50 ${fmt(writes.latency.p50)} ms, p99 ${fmt(writes.latency.p99)} ms, non-2xx ${writes.non2xx + writes.errors}`);
    const loaded = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (service) => [service, await rss(platform.managementUrl(service))] as const)));

    // 3. Event latency at a steady rate: order committed → order-confirmed notification stored.
    // First let the write burst's events drain, so the figure is about steady state.
    const drainStart = Date.now();
    while (Date.now() - drainStart < 180_000 && (await backlog(platform.managementUrl('order-service'), platform.managementUrl('notification-service'))) > 0) await sleep(500);
    report.push(`  events of the burst drained ${fmt((Date.now() - drainStart) / 1000)} s after it ended`);

    // 2b. The unread badge, the hottest read of a client (the bench user now has every order of the burst unread).
    const badge = await load({ url: `${api}/notifications/unread-count`, headers: auth });
    const { count } = (await (await fetch(`${api}/notifications/unread-count`, { headers: auth })).json()) as { count: number };
    report.push(`unread badge, GET /notifications/unread-count through the gateway (${count} unread): ${fmt(badge.requests.average, 0)} req/s, p50 ${fmt(badge.latency.p50)} ms, p99 ${fmt(badge.latency.p99)} ms, non-2xx ${badge.non2xx + badge.errors}`);
    const since = new Date();
    await load({ url: `${api}/orders`, method: 'POST', headers: { ...auth, ...json }, body: orderBody, connections: 4, overallRate: 50 });
    await sleep(5_000);
    const client = new pg.Client({ connectionString: serviceDatabaseUrl(database, 'order-service') });
    const notifications = new pg.Client({ connectionString: serviceDatabaseUrl(database, 'notification-service') });
    await Promise.all([client.connect(), notifications.connect()]);
    const orders = (await client.query('SELECT id, created_at FROM orders WHERE created_at >= $1', [since])).rows as { id: string; created_at: Date }[];
    const stored = new Map(((await notifications.query(`SELECT order_id, created_at FROM notifications WHERE type = 'order-confirmed' AND created_at >= $1`, [since])).rows as { order_id: string; created_at: Date }[]).map((row) => [row.order_id, row.created_at]));
    await Promise.all([client.end(), notifications.end()]);
    const latencies = orders.filter((row) => stored.has(row.id)).map((row) => stored.get(row.id)!.getTime() - row.created_at.getTime());
    report.push('', `event latency at 50 orders/s, commit → notification stored (two Kafka hops): p50 ${fmt(percentile(latencies, 50), 0)} ms, p99 ${fmt(percentile(latencies, 99), 0)} ms (${latencies.length}/${orders.length} orders notified)`);

    // 4. Memory and cold start.
    report.push('', 'service                  idle RSS MB   loaded RSS MB   cold start to ready s');
    for (const service of SERVICE_NAMES as readonly ServiceName[]) {
      await platform.stopService(service);
      const begin = Date.now();
      await platform.startService(service);
      report.push(`  ${service.padEnd(22)} ${fmt(idle[service]).padStart(11)} ${fmt(loaded[service]).padStart(15)} ${fmt((Date.now() - begin) / 1000, 2).padStart(20)}`);
    }
    console.log(`\n${report.join('\n')}\n`);
  } finally {
    await proxy.close();
    await platform.stop();
    rmSync(join(work, 'kafka'), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
