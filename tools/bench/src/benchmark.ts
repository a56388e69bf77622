// `./platform bench`: the figures of SPEC §9, measured side by side in one run on this machine.
// Prints each figure next to its target and writes them to tmp/bench/results.json; asserts nothing
// (speed is watched, not unit-tested). BENCH_PROFILE=1 runs the services under --cpu-prof and
// --heap-prof, writes the profiles to tmp/bench/profiles/<service>/ and prints their top frames.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { freePort, LocalPlatform, REPO_ROOT, scrape, SERVICE_NAMES, serviceDatabaseUrl, sleep, postgresFromEnvironment, sumOf, type DatabaseOptions, type ServiceName } from '@platform/local-platform';
import { startBareProxy } from './bare-proxy.ts';
import { combineTurns, fixedRate, percentile, saturate, turnOrder, type LoadResult } from './load.ts';
import { topFrames } from './profile-summary.ts';
import { startTraceSink } from './trace-sink.ts';

const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const SATURATED_TURNS = 2;
const FIXED_RATE = Number(process.env['BENCH_FIXED_RATE'] ?? 200);
const FIXED_SECONDS = Number(process.env['BENCH_FIXED_SECONDS'] ?? 20);
const EVENT_RATE = 50;
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** The Redis the gateway's rate limits use in one comparison (the machine's; Kubernetes and compose run one). */
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

/** SPEC §9. */
const TARGETS = {
  ratioToDirect: 0.8,
  ratioToBareProxy: 0.9,
  addedP50Ms: 1,
  addedP99Ms: 5,
  eventP50Ms: 20,
  eventP99Ms: 50,
  drainSeconds: 2,
  writeRatioToDirect: 0.8,
  idleRssMb: 128,
  loadedRssMb: 256,
  coldStartS: 1.5,
  tracingCost: 0.15,
};

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const pct = (ratio: number) => `${fmt(ratio * 100, 0)} %`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

async function rss(url: string): Promise<number> {
  return sumOf(await scrape(url), 'process_resident_memory_bytes') / 1024 / 1024;
}

/** Outbox rows waiting in order-service plus messages the consumers have not handled. */
async function backlog(orderService: string, notificationService: string): Promise<number> {
  const [orders, notifications] = await Promise.all([scrape(orderService), scrape(notificationService)]);
  return sumOf(orders, 'outbox_backlog_rows') + sumOf(orders, 'kafka_consumer_lag') + sumOf(notifications, 'kafka_consumer_lag');
}

/** CPU seconds one service process has used so far, from its /metrics (management URL). */
async function processCpuSeconds(managementUrl: string): Promise<number> {
  return sumOf(await scrape(managementUrl), 'process_cpu_seconds_total');
}

/** CPU seconds each service (its /metrics) and the broker (/proc, on Linux) have used so far. */
async function cpuSeconds(platform: LocalPlatform): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const service of SERVICE_NAMES) seconds[service] = await processCpuSeconds(platform.managementUrl(service));
  const broker = platform.kafka?.process.pid;
  if (broker && existsSync(`/proc/${broker}/stat`)) {
    // utime and stime, in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${broker}/stat`, 'utf8').split(') ')[1].split(' ');
    seconds['kafka'] = (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return seconds;
}

interface Gap {
  p50Ms: number;
  p99Ms: number;
}

/**
 * Posts orders through the gateway at a steady rate for DURATION seconds, then reads from the
 * services' own tables when each step of each order began (Postgres now(): the start of the
 * step's transaction), and what CPU the run cost each process per order.
 */
async function eventLatencyAt(
  platform: LocalPlatform,
  database: DatabaseOptions,
  run: { api: string; headers: Record<string, string>; body: string; ratePerSecond: number },
): Promise<Gap & { notified: number; sent: number; mailed: number; steps: (Gap & { name: string })[]; cpuMsPerOrder: Record<string, number> }> {
  const since = new Date();
  const cpuBefore = await cpuSeconds(platform);
  await saturate({ url: `${run.api}/orders`, method: 'POST', headers: run.headers, body: run.body, connections: 4, duration: DURATION, overallRate: run.ratePerSecond });
  await sleep(5_000);
  const cpuAfter = await cpuSeconds(platform);
  const client = new pg.Client({ connectionString: serviceDatabaseUrl(database, 'order-service') });
  const notifications = new pg.Client({ connectionString: serviceDatabaseUrl(database, 'notification-service') });
  await Promise.all([client.connect(), notifications.connect()]);
  const hops = (
    await client.query(
      `SELECT o.id, o.created_at AS committed, confirmed.created_at AS confirmed, confirmed.sent_at AS confirm_relayed, confirmed.event_id::text AS confirm_event
       FROM orders o
       JOIN outbox confirmed ON confirmed.message_key = o.id::text AND confirmed.event_type = 'order.confirmed'
       WHERE o.created_at >= $1`,
      [since],
    )
  ).rows as { id: string; committed: Date; confirmed: Date; confirm_relayed: Date; confirm_event: string }[];
  const handled = new Map(((await notifications.query('SELECT event_id, handled_at FROM inbox WHERE handled_at >= $1', [since])).rows as { event_id: string; handled_at: Date }[]).map((row) => [row.event_id, row.handled_at]));
  const confirmations = (await notifications.query(`SELECT id, order_id, created_at FROM notifications WHERE type = 'order-confirmed' AND created_at >= $1`, [since])).rows as { id: string; order_id: string; created_at: Date }[];
  const stored = new Map(confirmations.map((row) => [row.order_id, row.created_at]));
  // This run's confirmation mails (by Message-ID, <notification id@…>) the platform's SMTP catcher has received by now.
  const mailedIds = new Set((platform.mailCatcher?.mails ?? []).map((mail) => /^<([^@]+)@/.exec(mail.messageId)?.[1]));
  const mailed = confirmations.filter((row) => mailedIds.has(row.id)).length;
  const sent = Number((await client.query('SELECT count(*) FROM orders WHERE created_at >= $1', [since])).rows[0].count);
  await Promise.all([client.end(), notifications.end()]);
  const complete = hops.filter((row) => stored.has(row.id) && handled.has(row.confirm_event));
  const gap = (values: number[]): Gap => ({ p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) });
  const steps: [string, (row: (typeof complete)[number]) => number][] = [
    ['order commit → settled, order.confirmed written', (row) => row.confirmed.getTime() - row.committed.getTime()],
    ['written → relay claims order.confirmed', (row) => row.confirm_relayed.getTime() - row.confirmed.getTime()],
    ['relay claims → notification-service consumer handles it', (row) => handled.get(row.confirm_event)!.getTime() - row.confirm_relayed.getTime()],
    ['handled → notification stored', (row) => stored.get(row.id)!.getTime() - handled.get(row.confirm_event)!.getTime()],
  ];
  const cpuMsPerOrder = Object.fromEntries(Object.keys(cpuAfter).map((name) => [name, (1000 * (cpuAfter[name] - (cpuBefore[name] ?? 0))) / Math.max(sent, 1)]));
  return {
    ...gap(complete.map((row) => stored.get(row.id)!.getTime() - row.committed.getTime())),
    notified: complete.length,
    sent,
    mailed,
    steps: steps.map(([name, step]) => ({ name, ...gap(complete.map(step)) })),
    cpuMsPerOrder,
  };
}

/** Whether Redis answers PING (the bench skips the Redis comparison without it). */
async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Gateway replicas started together, one per variant (its extra environment), equally warmed up,
 * then saturated in turns (turnOrder, two each), so that all are as old and meet the same
 * neighbours: mean req/s and CPU per request (each replica's own /metrics) per variant.
 */
async function gatewaysSideBySide<K extends string>(
  platform: LocalPlatform,
  variants: Record<K, NodeJS.ProcessEnv>,
  run: { read: string; load: { connections: number; headers: Record<string, string> }; turnSeconds: number },
): Promise<Record<K, { rps: number; cpuMicros: number }>> {
  const names = Object.keys(variants) as K[];
  const urls = {} as Record<K, string>;
  for (const name of names) {
    platform.setServiceEnv('gateway', variants[name]);
    try {
      urls[name] = await platform.startReplica('gateway');
    } finally {
      platform.setServiceEnv('gateway', Object.fromEntries(Object.keys(variants[name]).map((key) => [key, undefined])));
    }
  }
  for (const name of names) await saturate({ url: `${urls[name]}${run.read}`, ...run.load, duration: 5 });
  const totals = Object.fromEntries(names.map((name) => [name, { rps: 0, cpuSeconds: 0, requests: 0 }])) as Record<K, { rps: number; cpuSeconds: number; requests: number }>;
  for (let turn = 0; turn < 2; turn++) {
    for (const name of turnOrder(names, turn)) {
      const management = platform.replicaManagementUrl(urls[name]);
      const before = await processCpuSeconds(management);
      const result = await saturate({ url: `${urls[name]}${run.read}`, ...run.load, duration: run.turnSeconds });
      totals[name].cpuSeconds += (await processCpuSeconds(management)) - before;
      totals[name].rps += result.requests.average / 2;
      totals[name].requests += result.requests.average * run.turnSeconds;
    }
  }
  return Object.fromEntries(names.map((name) => [name, { rps: totals[name].rps, cpuMicros: (1e6 * totals[name].cpuSeconds) / Math.max(totals[name].requests, 1) }])) as Record<K, { rps: number; cpuMicros: number }>;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;
/** Set once the platform is up; a signal before that is remembered and acted on then. */
let stopOnSignal: ((signal: StopSignal) => void) | undefined;
let interruptedBy: StopSignal | undefined;
for (const signal of Object.keys(EXIT_CODES) as StopSignal[]) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping the bench platform and dropping its database…`);
    if (stopOnSignal) stopOnSignal(signal);
    else interruptedBy = signal;
  });
}

async function main(): Promise<void> {
  const work = join(REPO_ROOT, 'tmp', 'bench');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [kafka, controller, bare, sink, ...servicePorts] = await Promise.all(Array.from({ length: 4 + 2 * SERVICE_NAMES.length }, () => freePort()));
  const ports = Object.fromEntries(SERVICE_NAMES.map((service, index) => [service, { http: servicePorts[2 * index], management: servicePorts[2 * index + 1] }])) as Record<ServiceName, { http: number; management: number }>;
  const profiles = (service: ServiceName) => join(work, 'profiles', service);
  const database = {
    ...postgresFromEnvironment(),
    name: `bench_${Date.now().toString(36)}`,
    passwords: { 'user-service': 'bench-user', 'order-service': 'bench-order', 'notification-service': 'bench-notification' },
  };
  const quiet = { LOG_LEVEL: 'warn', RATE_LIMIT_PER_USER: '100000000', RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_LOGIN_PER_IP: '100000000' };
  console.log(`starting the platform (own database and Kafka broker)${PROFILE ? ', services under --cpu-prof and --heap-prof' : ''}…`);
  const started = Date.now();
  const platform = await LocalPlatform.start({
    ports,
    database,
    kafka: { start: { port: kafka, controllerPort: controller, dataDir: join(work, 'kafka'), heapMb: 768 } },
    output: work,
    extraEnv: Object.fromEntries(SERVICE_NAMES.map((service) => [service, quiet])),
    nodeArgs: PROFILE ? Object.fromEntries(SERVICE_NAMES.map((service) => [service, ['--cpu-prof', `--cpu-prof-dir=${profiles(service)}`, '--heap-prof', `--heap-prof-dir=${profiles(service)}`]])) : undefined,
    dropDatabaseOnStop: true,
  });
  const proxy = await startBareProxy(platform.url('order-service'), bare);
  const traces = await startTraceSink(sink);
  // Once, at the end or on Ctrl-C: the services stop and the bench database is dropped either way.
  let stopped: Promise<void> | undefined;
  const tearDown = () =>
    (stopped ??= (async () => {
      await traces.close();
      await proxy.close();
      await platform.stop();
      rmSync(join(work, 'kafka'), { recursive: true, force: true });
    })());
  stopOnSignal = (signal) => void tearDown().finally(() => process.exit(EXIT_CODES[signal]));
  if (interruptedBy) stopOnSignal(interruptedBy);
  const report: string[] = [`platform up in ${fmt((Date.now() - started) / 1000)} s (Kafka formatted, migrations applied)`];
  try {
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
    const readVia = { direct: `${platform.url('order-service')}${read}`, bare: `http://127.0.0.1:${bare}${read}`, gateway: `${platform.url('gateway')}${read}` };

    // 1. Gateway overhead on an authenticated read: saturated, then at a fixed rate.
    // Saturated in turns (direct, bare, gateway, then gateway, bare, direct: turnOrder): all three
    // meet the same neighbours, and neither a drift over the minute nor a place in the order favours one.
    const saturated = { connections: CONNECTIONS, duration: DURATION / SATURATED_TURNS, headers: auth };
    const paths = [readVia.direct, readVia.bare, readVia.gateway];
    const readTurns = new Map(paths.map((url) => [url, [] as LoadResult[]]));
    // Warmed up first (JIT, connection pools), as the tracing turns below are: steady state is compared, not start-up.
    for (const url of paths) await saturate({ url, ...saturated, duration: 3 });
    // The gateway's own CPU per request: the steadiest figure on a shared machine, where req/s move with the neighbours.
    let gatewayCpuSeconds = 0;
    const gatewayCpu = () => processCpuSeconds(platform.managementUrl('gateway'));
    for (let turn = 0; turn < SATURATED_TURNS; turn++) {
      for (const url of turnOrder(paths, turn)) {
        const cpuBefore = url === readVia.gateway ? await gatewayCpu() : 0;
        readTurns.get(url)?.push(await saturate({ url, ...saturated }));
        if (url === readVia.gateway) gatewayCpuSeconds += (await gatewayCpu()) - cpuBefore;
      }
    }
    const [direct, viaBare, viaGateway] = paths.map((url) => combineTurns(readTurns.get(url) ?? []));
    const gatewayCpuMicrosPerRequest = (1e6 * gatewayCpuSeconds) / (viaGateway.requests.average * DURATION);
    const ratioToDirect = viaGateway.requests.average / direct.requests.average;
    const ratioToBareProxy = viaGateway.requests.average / viaBare.requests.average;
    report.push('', `authenticated read, GET /orders/:id, ${CONNECTIONS} connections, ${DURATION} s per path in ${SATURATED_TURNS} turns (means of the turns)`);
    report.push('  path                      req/s     p50 ms   p99 ms   non-2xx');
    for (const [name, result] of [['direct to order-service', direct], ['bare Fastify proxy', viaBare], ['gateway', viaGateway]] as const) {
      report.push(`  ${name.padEnd(24)} ${fmt(result.requests.average, 0).padStart(7)} ${fmt(result.latency.p50).padStart(9)} ${fmt(result.latency.p99).padStart(8)} ${String(result.non2xx + result.errors).padStart(9)}`);
    }
    report.push(`  gateway vs direct        ${pct(ratioToDirect).padStart(7)}   target ≥ ${pct(TARGETS.ratioToDirect)}   ${verdict(ratioToDirect >= TARGETS.ratioToDirect)}`);
    report.push(`  gateway vs bare proxy    ${pct(ratioToBareProxy).padStart(7)}   target ≥ ${pct(TARGETS.ratioToBareProxy)}   ${verdict(ratioToBareProxy >= TARGETS.ratioToBareProxy)}`);
    report.push(`  gateway CPU per request  ${fmt(gatewayCpuMicrosPerRequest, 0).padStart(5)} µs`);

    // In one-second turns (direct, bare, gateway, gateway, bare, …): a tail percentile is what the
    // neighbours move most, and this way all three paths meet the same ones.
    const [directFixed, bareFixed, gatewayFixed] = await fixedRate({ urls: [readVia.direct, readVia.bare, readVia.gateway], headers: auth, rate: FIXED_RATE, seconds: FIXED_SECONDS });
    const addedP50Ms = gatewayFixed.p50Ms - directFixed.p50Ms;
    const addedP99Ms = gatewayFixed.p99Ms - directFixed.p99Ms;
    report.push('', `the same read at a fixed ${FIXED_RATE} req/s for ${FIXED_SECONDS} s per path, in one-second turns (not saturating)`);
    report.push('  path                      p50 ms   p99 ms   failed');
    for (const [name, result] of [['direct to order-service', directFixed], ['bare Fastify proxy', bareFixed], ['gateway', gatewayFixed]] as const) {
      report.push(`  ${name.padEnd(24)} ${fmt(result.p50Ms, 2).padStart(7)} ${fmt(result.p99Ms, 2).padStart(8)} ${String(result.failed).padStart(8)}`);
    }
    report.push(`  gateway added latency    p50 +${fmt(addedP50Ms, 2)} ms (target ≤ ${TARGETS.addedP50Ms}) ${verdict(addedP50Ms <= TARGETS.addedP50Ms)}, p99 +${fmt(addedP99Ms, 2)} ms (target ≤ ${TARGETS.addedP99Ms}) ${verdict(addedP99Ms <= TARGETS.addedP99Ms)}`);

    // 2. Write path: the same POST direct to order-service and through the gateway; then the time
    // the events of the gateway burst take to drain (outbox → Kafka → consumers).
    const orderService = platform.managementUrl('order-service');
    const notificationService = platform.managementUrl('notification-service');
    const drain = async () => {
      const begin = Date.now();
      while (Date.now() - begin < 180_000 && (await backlog(orderService, notificationService)) > 0) await sleep(100);
      return (Date.now() - begin) / 1000;
    };
    const post = { method: 'POST', headers: { ...auth, ...json }, body: orderBody, connections: CONNECTIONS, duration: DURATION };
    const directWrites = await saturate({ url: `${platform.url('order-service')}/api/v1/orders`, ...post });
    await drain();
    const writes = await saturate({ url: `${api}/orders`, ...post });
    const drainSeconds = await drain();
    const writeRatio = writes.requests.average / directWrites.requests.average;
    report.push('', `write path, POST /orders, ${CONNECTIONS} connections, ${DURATION} s each`);
    report.push(`  direct to order-service  ${fmt(directWrites.requests.average, 0).padStart(5)} orders/s, p50 ${fmt(directWrites.latency.p50)} ms, p99 ${fmt(directWrites.latency.p99)} ms, non-2xx ${directWrites.non2xx + directWrites.errors}`);
    report.push(`  gateway                  ${fmt(writes.requests.average, 0).padStart(5)} orders/s, p50 ${fmt(writes.latency.p50)} ms, p99 ${fmt(writes.latency.p99)} ms, non-2xx ${writes.non2xx + writes.errors}`);
    report.push(`  gateway vs direct        ${pct(writeRatio).padStart(7)}   target ≥ ${pct(TARGETS.writeRatioToDirect)}   ${verdict(writeRatio >= TARGETS.writeRatioToDirect)}`);
    report.push(`  events of the gateway burst drained ${fmt(drainSeconds)} s after it ended   target ≤ ${TARGETS.drainSeconds} s   ${verdict(drainSeconds <= TARGETS.drainSeconds)}`);
    const loaded = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (service) => [service, await rss(platform.managementUrl(service))] as const)));

    // The unread badge, the hottest read of a client (the bench user now has every order of the bursts unread).
    const badge = await saturate({ url: `${api}/notifications/unread-count`, ...saturated });
    const { count } = (await (await fetch(`${api}/notifications/unread-count`, { headers: auth })).json()) as { count: number };
    report.push('', `unread badge, GET /notifications/unread-count through the gateway (${count} unread): ${fmt(badge.requests.average, 0)} req/s, p50 ${fmt(badge.latency.p50)} ms, p99 ${fmt(badge.latency.p99)} ms, non-2xx ${badge.non2xx + badge.errors}`);

    // 3. Event latency at a steady rate: order committed → order-confirmed notification stored.
    // First at a tenth of the rate (the path itself, no queueing), then at the target rate, with
    // the CPU each order cost every process: on two shared cores that says when the rate saturates.
    const eventRun = (ratePerSecond: number) => eventLatencyAt(platform, database, { api, headers: { ...auth, ...json }, body: orderBody, ratePerSecond });
    const gentle = await eventRun(EVENT_RATE / 10);
    const atRate = await eventRun(EVENT_RATE);
    const eventLatency = {
      ratePerSecond: EVENT_RATE,
      p50Ms: atRate.p50Ms,
      p99Ms: atRate.p99Ms,
      notified: atRate.notified,
      sent: atRate.sent,
      mailed: atRate.mailed,
      cpuMsPerOrder: atRate.cpuMsPerOrder,
      lowRate: { ratePerSecond: EVENT_RATE / 10, p50Ms: gentle.p50Ms, p99Ms: gentle.p99Ms, notified: gentle.notified, sent: gentle.sent },
    };
    report.push('', `event latency, commit → notification stored (one Kafka hop), per step (p50 / p99 ms)`);
    report.push(`  ${'rate'.padEnd(58)} ${`${EVENT_RATE / 10}/s`.padStart(12)} ${`${EVENT_RATE}/s`.padStart(12)}`);
    const both = (a: { p50Ms: number; p99Ms: number }, b: { p50Ms: number; p99Ms: number }) => `${`${fmt(a.p50Ms, 0)} / ${fmt(a.p99Ms, 0)}`.padStart(12)} ${`${fmt(b.p50Ms, 0)} / ${fmt(b.p99Ms, 0)}`.padStart(12)}`;
    gentle.steps.forEach((step, index) => report.push(`    ${step.name.padEnd(56)} ${both(step, atRate.steps[index])}`));
    report.push(`  ${'total'.padEnd(58)} ${both(gentle, atRate)}`);
    report.push(`  at ${EVENT_RATE}/s: p50 ${fmt(atRate.p50Ms, 0)} ms (target ≤ ${TARGETS.eventP50Ms}) ${verdict(atRate.p50Ms <= TARGETS.eventP50Ms)}, p99 ${fmt(atRate.p99Ms, 0)} ms (target ≤ ${TARGETS.eventP99Ms}) ${verdict(atRate.p99Ms <= TARGETS.eventP99Ms)}, ${atRate.notified}/${atRate.sent} orders notified, ${atRate.mailed} mailed 5 s after the last order`);
    const cpuTotal = Object.values(atRate.cpuMsPerOrder).reduce((sum, ms) => sum + ms, 0);
    report.push(
      `  CPU per order at ${EVENT_RATE}/s: ${Object.entries(atRate.cpuMsPerOrder).map(([name, ms]) => `${name} ${fmt(ms)} ms`).join(', ')}; ${fmt(cpuTotal)} ms in all = ${fmt((cpuTotal * EVENT_RATE) / 1000, 2)} cores at ${EVENT_RATE}/s (this machine: ${availableParallelism()})`,
    );

    // 4. Tracing: a gateway exporting every span over OTLP/HTTP to a local sink beside one that
    // does not (gatewaysSideBySide: started together, warmed alike, in turns off, on, on, off).
    const tracing = await gatewaysSideBySide(platform, { off: {}, on: { OTEL_EXPORTER_OTLP_ENDPOINT: traces.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } }, { read, load: { connections: CONNECTIONS, headers: auth }, turnSeconds: DURATION });
    const tracingOnRatio = tracing.on.rps / tracing.off.rps;
    report.push('', `tracing on (every span exported over OTLP to a local sink; ${traces.exports()} exports) vs off, gateway read, two turns each`);
    report.push(`  off ${fmt(tracing.off.rps, 0)} req/s, on ${fmt(tracing.on.rps, 0)} req/s = ${pct(tracingOnRatio)}, cost ${pct(1 - tracingOnRatio)} (target ≤ ${pct(TARGETS.tracingCost)}) ${verdict(1 - tracingOnRatio <= TARGETS.tracingCost)}`);

    // 4b. Rate limits as deployed: counted in Redis, shared by the gateway's replicas (REDIS_URL),
    // against the same limits counted in the process (the local platform's default, measured above).
    // CPU per request from each replica's /metrics.
    let rateLimits: { memoryRps: number; redisRps: number; redisRatio: number; memoryCpuMicros: number; redisCpuMicros: number } | { skipped: string };
    if (await redisAnswers(REDIS_URL)) {
      const { memory, redis } = await gatewaysSideBySide(platform, { memory: {}, redis: { REDIS_URL, REDIS_KEY_PREFIX: `bench:${Date.now().toString(36)}:` } }, { read, load: { connections: CONNECTIONS, headers: auth }, turnSeconds: DURATION / 2 });
      rateLimits = { memoryRps: memory.rps, redisRps: redis.rps, redisRatio: redis.rps / memory.rps, memoryCpuMicros: memory.cpuMicros, redisCpuMicros: redis.cpuMicros };
    } else {
      rateLimits = { skipped: `no Redis answers at ${REDIS_URL} (BENCH_REDIS_URL)` };
    }
    report.push('', `rate limits counted in Redis (as deployed: ${REDIS_URL}) vs in the process, gateway read, two turns each`);
    report.push(
      'skipped' in rateLimits
        ? `  skipped: ${rateLimits.skipped}`
        : `  in the process ${fmt(rateLimits.memoryRps, 0)} req/s, ${fmt(rateLimits.memoryCpuMicros, 0)} µs CPU per request; in Redis ${fmt(rateLimits.redisRps, 0)} req/s, ${fmt(rateLimits.redisCpuMicros, 0)} µs = ${pct(rateLimits.redisRatio)}`,
    );

    // 5. Memory and cold start (process start to /health/ready answering 200).
    const memory: Record<string, { idleRssMb: number; loadedRssMb: number; coldStartS: number }> = {};
    report.push('', `service                  idle RSS MB (≤ ${TARGETS.idleRssMb})   loaded RSS MB (≤ ${TARGETS.loadedRssMb})   cold start s (≤ ${TARGETS.coldStartS})`);
    for (const service of SERVICE_NAMES as readonly ServiceName[]) {
      await platform.stopService(service);
      const begin = Date.now();
      await platform.startService(service);
      memory[service] = { idleRssMb: idle[service], loadedRssMb: loaded[service], coldStartS: (Date.now() - begin) / 1000 };
      const { idleRssMb, loadedRssMb, coldStartS } = memory[service];
      report.push(
        `  ${service.padEnd(22)} ${`${fmt(idleRssMb)} ${verdict(idleRssMb <= TARGETS.idleRssMb)}`.padStart(20)} ${`${fmt(loadedRssMb)} ${verdict(loadedRssMb <= TARGETS.loadedRssMb)}`.padStart(22)} ${`${fmt(coldStartS, 2)} ${verdict(coldStartS <= TARGETS.coldStartS)}`.padStart(21)}`,
      );
    }

    const results = {
      measuredAt: new Date().toISOString(),
      targets: TARGETS,
      gateway: {
        directRps: direct.requests.average,
        bareProxyRps: viaBare.requests.average,
        gatewayRps: viaGateway.requests.average,
        gatewayCpuMicrosPerRequest,
        ratioToDirect,
        ratioToBareProxy,
        fixedRate: { rps: FIXED_RATE, addedP50Ms, addedP99Ms, directP50Ms: directFixed.p50Ms, gatewayP50Ms: gatewayFixed.p50Ms, bareProxyP50Ms: bareFixed.p50Ms },
        tracingOnRatio,
        tracing: { offRps: tracing.off.rps, onRps: tracing.on.rps, offCpuMicros: tracing.off.cpuMicros, onCpuMicros: tracing.on.cpuMicros },
        rateLimits,
      },
      writePath: {
        gatewayOrdersPerSecond: writes.requests.average,
        directOrdersPerSecond: directWrites.requests.average,
        ratioToDirect: writeRatio,
        p50Ms: writes.latency.p50,
        p99Ms: writes.latency.p99,
        drainSeconds,
      },
      eventLatency,
      unreadBadge: { rps: badge.requests.average, p50Ms: badge.latency.p50, p99Ms: badge.latency.p99, unread: count },
      memory,
    };
    writeFileSync(join(work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    report.push('', `figures written to ${join('tmp', 'bench', 'results.json')}`);
  } finally {
    console.log(`\n${report.join('\n')}\n`);
    await tearDown();
  }
  if (PROFILE) {
    console.log('top self-time frames per service (% of busy time; profiles in tmp/bench/profiles/<service>/)');
    for (const service of SERVICE_NAMES) {
      if (!existsSync(profiles(service))) continue;
      console.log(`  ${service}`);
      for (const { frame, selfPercent } of topFrames(profiles(service), REPO_ROOT)) console.log(`    ${fmt(selfPercent).padStart(5)} %  ${frame}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
