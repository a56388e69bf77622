// `./platform bench`: the figures of SPEC §9, measured side by side in one run on this machine.
// Prints each figure next to its target and writes them to tmp/bench/results.json; asserts nothing
// (speed is watched, not unit-tested). BENCH_PROFILE=1 runs the services under --cpu-prof and
// --heap-prof, writes the profiles to tmp/bench/profiles/<service>/ and prints their top frames.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { CONSUMER_RUNTIME_ENV, freePort, LocalPlatform, REPO_ROOT, scrape, SERVICE_NAMES, serviceDatabaseUrl, sleep, postgresFromEnvironment, sumOf, type DatabaseOptions, type ServiceName } from '@platform/local-platform';
import { BarePipeline } from './bare-pipeline/index.ts';
import { forkBareProxy } from './bare-proxy.ts';
import { combineTurns, fixedRate, saturate, steadyRate, turnOrder, type LoadResult } from './load.ts';
import { topFrames } from './profile-summary.ts';
import { EVENT_LOOP_SAMPLING_MS, joinTimelines, summarize, wallClock, type Gap, type TimelineSummary, type Timelines } from './timeline.ts';
import { startSmtpSink } from './smtp-sink.ts';
import { startTraceSink } from './trace-sink.ts';

const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const SATURATED_TURNS = 2;
const FIXED_RATE = Number(process.env['BENCH_FIXED_RATE'] ?? 200);
const FIXED_SECONDS = Number(process.env['BENCH_FIXED_SECONDS'] ?? 20);
const EVENT_RATE = 50;
/** Turns per pipeline and rate in the event-latency section. */
const EVENT_TURNS = 2;
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** `events`: only the event-latency section (with the bare pipeline), for work on the event path; `malloc`: only the malloc thresholds' cost. */
const ONLY = process.env['BENCH_ONLY'];
/** The Redis the gateway's rate limits use in one comparison (the machine's; Kubernetes and compose run one). */
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

/** SPEC §9: ratios to the machine's limits, measured side by side in this run. */
const TARGETS = {
  ratioToBareProxy: 0.95,
  cpuRatioToBareProxy: 1.1,
  addedP50Ms: 1,
  /** Added p99 at the fixed rate: at most the bare proxy's added p99 plus this. */
  addedP99OverBareProxyMs: 1,
  /** Event latency p50 and p99, at both rates, and CPU per order: at most this many times the bare pipeline's. */
  eventRatioToBarePipeline: 2,
  cpuRatioToBarePipeline: 2,
  drainSeconds: 2,
  writeRatioToDirect: 0.8,
  idleRssMb: 128,
  loadedRssMb: 256,
  coldStartS: 1.5,
  /** Extra CPU per request with tracing on (median of three alternating turns). */
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

/** CPU seconds a process has used so far, from /proc (Linux): utime and stime, in clock ticks (100 per second). */
function procCpuSeconds(pid: number | undefined): number {
  if (!pid || !existsSync(`/proc/${pid}/stat`)) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds each service (its /metrics) and the broker have used so far. */
async function cpuSeconds(platform: LocalPlatform): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const service of SERVICE_NAMES) seconds[service] = await processCpuSeconds(platform.managementUrl(service));
  seconds['kafka'] = procCpuSeconds(platform.kafka?.process.pid);
  return seconds;
}

/** Event-loop delay of each service since its previous scrape (prom-client resets its histogram on each). */
async function eventLoopDelays(platform: LocalPlatform, services: readonly ServiceName[]): Promise<Record<string, { p50Ms: number; p99Ms: number; maxMs: number }>> {
  const delays: Record<string, { p50Ms: number; p99Ms: number; maxMs: number }> = {};
  for (const service of services) {
    const samples = await scrape(platform.managementUrl(service));
    // prom-client samples every EVENT_LOOP_SAMPLING_MS: a sample is that interval plus the delay.
    // No sample since the last scrape reads 0: shown as n/a, not as no delay.
    const seconds = (name: string) => (sumOf(samples, name) > 0 ? Math.max(0, sumOf(samples, name) * 1000 - EVENT_LOOP_SAMPLING_MS) : NaN);
    delays[service] = { p50Ms: seconds('nodejs_eventloop_lag_p50_seconds'), p99Ms: seconds('nodejs_eventloop_lag_p99_seconds'), maxMs: seconds('nodejs_eventloop_lag_max_seconds') };
  }
  return delays;
}

/** The services an order's events pass through, whose timelines and event-loop delay the bench reads. */
const EVENT_PATH: readonly ServiceName[] = ['gateway', 'order-service', 'notification-service'];

async function timelinesOf(platform: LocalPlatform, service: ServiceName, since: number): Promise<Timelines> {
  const response = await fetch(`${platform.managementUrl(service)}/debug/event-timeline?since=${Math.floor(since)}`);
  if (!response.ok) throw new Error(`${service} has no event timeline (${response.status}): is EVENT_TIMELINE on?`);
  return (await response.json()) as Timelines;
}

type Delays = Record<string, { p50Ms: number; p99Ms: number; maxMs: number }>;

/** One turn of a pipeline at a rate: its events' timelines and what the turn cost each process. */
interface Turn {
  since: number;
  sent: number;
  timelines: Timelines;
  cpuMs: Record<string, number>;
  eventLoopDelay: Delays;
  mailed?: number;
}

/** The turns of one pipeline at one rate, together: commit → stored and its steps, CPU per order, the worst event-loop delay of each process. */
interface EventRun extends TimelineSummary {
  sent: number;
  mailed: number;
  cpuMsPerOrder: Record<string, number>;
  cpuMsPerOrderTotal: number;
  eventLoopDelay: Delays;
}

const SETTLE_MS = 3_000;

/**
 * The platform: orders through the gateway, evenly spaced, for `seconds`; then the per-event
 * timelines of order-service and notification-service (EVENT_TIMELINE) joined by event id: each
 * order.confirmed from its commit with the order to the notification's commit.
 */
async function platformTurn(platform: LocalPlatform, database: DatabaseOptions, run: { api: string; headers: Record<string, string>; body: string; rate: number; seconds: number; mailed: Set<string> }): Promise<Turn> {
  const since = wallClock();
  await eventLoopDelays(platform, EVENT_PATH); // resets them
  const cpuBefore = await cpuSeconds(platform);
  const result = await steadyRate({ url: `${run.api}/orders`, method: 'POST', headers: run.headers, body: run.body, rate: run.rate, seconds: run.seconds });
  await sleep(SETTLE_MS);
  const cpuAfter = await cpuSeconds(platform);
  const eventLoopDelay = await eventLoopDelays(platform, EVENT_PATH);
  const timelines = joinTimelines(await timelinesOf(platform, 'order-service', since), await timelinesOf(platform, 'notification-service', since));
  // This turn's confirmation mails (by Message-ID, <notification id@…>) the platform's SMTP catcher has received by now.
  const notifications = new pg.Client({ connectionString: serviceDatabaseUrl(database, 'notification-service') });
  await notifications.connect();
  const confirmations = (await notifications.query(`SELECT id FROM notifications WHERE type = 'order-confirmed' AND created_at >= $1`, [new Date(since)]).finally(() => notifications.end())).rows as { id: string }[];
  const mailedIds = new Set([...run.mailed].map((messageId) => messageId.split('@')[0]));
  const cpuMs = Object.fromEntries(Object.keys(cpuAfter).map((name) => [name, 1000 * (cpuAfter[name] - (cpuBefore[name] ?? 0))]));
  return { since, sent: result.sent - result.failed, timelines, cpuMs, eventLoopDelay, mailed: confirmations.filter((row) => mailedIds.has(row.id)).length };
}

/** The bare pipeline at the same rate for as long, on the same broker and database, with the broker's CPU counted alike. */
async function bareTurn(platform: LocalPlatform, bare: BarePipeline, rate: number, seconds: number): Promise<Turn> {
  const brokerBefore = procCpuSeconds(platform.kafka?.process.pid);
  const since = wallClock();
  const run = await bare.run(rate, seconds, SETTLE_MS);
  return { since, sent: run.orders, timelines: run.timelines, cpuMs: { ...run.cpuMs, kafka: 1000 * (procCpuSeconds(platform.kafka?.process.pid) - brokerBefore) }, eventLoopDelay: run.eventLoopDelay };
}

function combine(turns: Turn[], file: string): EventRun {
  const timelines: Timelines = {};
  const cpuMs: Record<string, number> = {};
  const eventLoopDelay: Delays = {};
  let sent = 0;
  let mailed = 0;
  for (const turn of turns) {
    for (const [id, entry] of Object.entries(turn.timelines)) if ((entry.committed ?? 0) >= turn.since) timelines[id] = entry;
    for (const [name, ms] of Object.entries(turn.cpuMs)) cpuMs[name] = (cpuMs[name] ?? 0) + ms;
    for (const [name, delay] of Object.entries(turn.eventLoopDelay)) {
      const worst = eventLoopDelay[name] ?? { p50Ms: 0, p99Ms: 0, maxMs: 0 };
      eventLoopDelay[name] = { p50Ms: Math.max(worst.p50Ms, delay.p50Ms), p99Ms: Math.max(worst.p99Ms, delay.p99Ms), maxMs: Math.max(worst.maxMs, delay.maxMs) };
    }
    sent += turn.sent;
    mailed += turn.mailed ?? 0;
  }
  writeFileSync(join(REPO_ROOT, 'tmp', 'bench', file), JSON.stringify(timelines));
  const cpuMsPerOrder = Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, ms / Math.max(sent, 1)]));
  return { ...summarize(timelines, 0), sent, mailed, cpuMsPerOrder, cpuMsPerOrderTotal: Object.values(cpuMsPerOrder).reduce((sum, ms) => sum + ms, 0), eventLoopDelay };
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface SideBySide {
  /** Mean req/s over the turns. */
  rps: number;
  /** CPU per request over all turns together. */
  cpuMicros: number;
  /** CPU per request of each turn. */
  cpuMicrosByTurn: number[];
}

/**
 * Gateway replicas started together, one per variant (its extra environment), equally warmed up,
 * then saturated in `turns` turns (turnOrder: as given, reversed, …), so that all are as old and
 * meet the same neighbours: req/s and CPU per request (each replica's own /metrics) per variant.
 */
async function gatewaysSideBySide<K extends string>(
  platform: LocalPlatform,
  variants: Record<K, NodeJS.ProcessEnv>,
  run: { read: string; load: { connections: number; headers: Record<string, string> }; turnSeconds: number; turns: number },
): Promise<Record<K, SideBySide>> {
  const names = Object.keys(variants) as K[];
  const urls = {} as Record<K, string>;
  for (const name of names) urls[name] = await platform.startReplicaWith('gateway', variants[name]);
  for (const name of names) await saturate({ url: `${urls[name]}${run.read}`, ...run.load, duration: 5 });
  const totals = Object.fromEntries(names.map((name) => [name, { rps: 0, cpuSeconds: 0, requests: 0, cpuMicrosByTurn: [] as number[] }])) as Record<K, { rps: number; cpuSeconds: number; requests: number; cpuMicrosByTurn: number[] }>;
  for (let turn = 0; turn < run.turns; turn++) {
    for (const name of turnOrder(names, turn)) {
      const management = platform.replicaManagementUrl(urls[name]);
      const before = await processCpuSeconds(management);
      const result = await saturate({ url: `${urls[name]}${run.read}`, ...run.load, duration: run.turnSeconds });
      const cpu = (await processCpuSeconds(management)) - before;
      const requests = result.requests.average * run.turnSeconds;
      totals[name].cpuSeconds += cpu;
      totals[name].rps += result.requests.average / run.turns;
      totals[name].requests += requests;
      totals[name].cpuMicrosByTurn.push((1e6 * cpu) / Math.max(requests, 1));
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { rps: totals[name].rps, cpuMicros: (1e6 * totals[name].cpuSeconds) / Math.max(totals[name].requests, 1), cpuMicrosByTurn: totals[name].cpuMicrosByTurn }]),
  ) as Record<K, SideBySide>;
}

/** Turns of each variant in the malloc-thresholds comparison. */
const MALLOC_TURNS = 6;

/**
 * What glibc's mmap and trim thresholds fixed at 128 KiB would cost the gateway (CONSUMER_RUNTIME_ENV:
 * the services that consume Kafka run with them, which keeps their memory flat in the soak; the
 * gateway runs with glibc's dynamic ones): two gateways side by side, one as deployed and one with
 * the thresholds fixed, saturated in alternating turns; the cost is the median over the turns of CPU
 * per request, fixed over dynamic.
 */
async function measureMallocThresholds(platform: LocalPlatform, run: { read: string; headers: Record<string, string> }, report: string[]) {
  const { fixed, dynamic } = await gatewaysSideBySide(
    platform,
    { dynamic: {}, fixed: { ...CONSUMER_RUNTIME_ENV } },
    { read: run.read, load: { connections: CONNECTIONS, headers: run.headers }, turnSeconds: DURATION / 2, turns: MALLOC_TURNS },
  );
  const costByTurn = fixed.cpuMicrosByTurn.map((micros, turn) => micros / dynamic.cpuMicrosByTurn[turn] - 1);
  const cost = median(costByTurn);
  report.push('', `glibc's malloc thresholds fixed (as the Kafka consumers run) vs dynamic (as the gateway runs), gateway read, CPU per request, ${MALLOC_TURNS} alternating turns`);
  report.push(`  dynamic ${dynamic.cpuMicrosByTurn.map((micros) => fmt(micros, 0)).join(' / ')} µs, fixed ${fixed.cpuMicrosByTurn.map((micros) => fmt(micros, 0)).join(' / ')} µs; req/s dynamic ${fmt(dynamic.rps, 0)}, fixed ${fmt(fixed.rps, 0)}`);
  report.push(`  cost of fixed per turn ${costByTurn.map(pct).join(' / ')}, median ${pct(cost)}`);
  return { cost, costByTurn, fixedCpuMicrosByTurn: fixed.cpuMicrosByTurn, dynamicCpuMicrosByTurn: dynamic.cpuMicrosByTurn, fixedRps: fixed.rps, dynamicRps: dynamic.rps };
}

/**
 * Event latency at a steady rate: order committed → order-confirmed notification committed,
 * against the bare pipeline (raw pg + kafkajs, two processes) on the same broker and database,
 * side by side: bare, platform at 5/s, then platform, bare at 50/s. Each event's timeline says
 * where it waited; CPU per order and each process's event-loop delay say what the rate costs.
 */
async function measureEvents({ platform, database, barePipeline, api, headers, body, mailed, report }: { platform: LocalPlatform; database: DatabaseOptions; barePipeline: BarePipeline; api: string; headers: Record<string, string>; body: string; mailed: Set<string>; report: string[] }) {
  const LOW_RATE = EVENT_RATE / 10;
  await barePipeline.run(LOW_RATE, 2, 1_000); // warm-up: connections, JIT
  /** Both pipelines at a rate, DURATION seconds each, in EVENT_TURNS alternating turns (bare, platform; platform, bare; …) so that both meet the same neighbours. */
  const sideBySide = async (rate: number) => {
    const turns: Record<'bare' | 'platform', Turn[]> = { bare: [], platform: [] };
    const seconds = DURATION / EVENT_TURNS;
    for (let turn = 0; turn < EVENT_TURNS; turn++) {
      for (const pipeline of turnOrder(['bare', 'platform'] as const, turn)) {
        turns[pipeline].push(pipeline === 'bare' ? await bareTurn(platform, barePipeline, rate, seconds) : await platformTurn(platform, database, { api, headers, body, rate, seconds, mailed }));
      }
    }
    return { bare: combine(turns.bare, `timelines-bare-${rate}.json`), platform: combine(turns.platform, `timelines-platform-${rate}.json`) };
  };
  const { bare: bareGentle, platform: gentle } = await sideBySide(LOW_RATE);
  const { bare: bareAtRate, platform: atRate } = await sideBySide(EVENT_RATE);
  const ratio = (platformRun: Gap, bareRun: Gap) => ({ p50: platformRun.p50Ms / bareRun.p50Ms, p99: platformRun.p99Ms / bareRun.p99Ms });
  const latencyRatios = { lowRate: ratio(gentle, bareGentle), atRate: ratio(atRate, bareAtRate) };
  const cpuRatioToBarePipeline = atRate.cpuMsPerOrderTotal / bareAtRate.cpuMsPerOrderTotal;
  const withinRatio = (value: number) => value <= TARGETS.eventRatioToBarePipeline;
  const pair = (gap: Gap) => `${fmt(gap.p50Ms, 1)} / ${fmt(gap.p99Ms, 1)}`.padStart(13);
  report.push('', `event latency, commit → stored (the order's transaction → the notification's), per step, p50 / p99 ms`);
  report.push(`  ${'step'.padEnd(48)} ${`bare ${LOW_RATE}/s`.padStart(13)} ${`platform ${LOW_RATE}/s`.padStart(13)} ${`bare ${EVENT_RATE}/s`.padStart(13)} ${`platform ${EVENT_RATE}/s`.padStart(13)}`);
  atRate.gaps.forEach((step, index) => report.push(`    ${step.name.padEnd(46)} ${pair(bareGentle.gaps[index])} ${pair(gentle.gaps[index])} ${pair(bareAtRate.gaps[index])} ${pair(step)}`));
  report.push(`  ${'commit → stored'.padEnd(48)} ${pair(bareGentle)} ${pair(gentle)} ${pair(bareAtRate)} ${pair(atRate)}`);
  report.push(`  events measured (of orders sent, evenly spaced): bare ${bareGentle.events}/${bareGentle.sent}, platform ${gentle.events}/${gentle.sent}, bare ${bareAtRate.events}/${bareAtRate.sent}, platform ${atRate.events}/${atRate.sent} (${atRate.mailed} mailed 5 s after the last order)`);
  for (const [name, ratios] of [[`${LOW_RATE}/s`, latencyRatios.lowRate], [`${EVENT_RATE}/s`, latencyRatios.atRate]] as const) {
    report.push(`  at ${name.padEnd(5)} platform / bare: p50 ${fmt(ratios.p50, 2)}× ${verdict(withinRatio(ratios.p50))}, p99 ${fmt(ratios.p99, 2)}× ${verdict(withinRatio(ratios.p99))}   (target ≤ ${TARGETS.eventRatioToBarePipeline}×)`);
  }
  const cpuList = (byProcess: Record<string, number>) => Object.entries(byProcess).map(([name, ms]) => `${name} ${fmt(ms, 2)}`).join(', ');
  report.push(`  CPU per order at ${EVENT_RATE}/s, ms: platform ${fmt(atRate.cpuMsPerOrderTotal, 2)} (${cpuList(atRate.cpuMsPerOrder)}); bare ${fmt(bareAtRate.cpuMsPerOrderTotal, 2)} (${cpuList(bareAtRate.cpuMsPerOrder)})`);
  report.push(`  CPU per order, platform / bare: ${fmt(cpuRatioToBarePipeline, 2)}× (target ≤ ${TARGETS.cpuRatioToBarePipeline}×) ${verdict(cpuRatioToBarePipeline <= TARGETS.cpuRatioToBarePipeline)}   (this machine: ${availableParallelism()} cores, shared)`);
  const delays = (byProcess: Record<string, { p50Ms: number; p99Ms: number; maxMs: number }>) => Object.entries(byProcess).map(([name, delay]) => `${name} ${fmt(delay.p50Ms, 1)}/${fmt(delay.p99Ms, 1)}/${fmt(delay.maxMs, 0)}`).join(', ');
  report.push(`  event-loop delay p50/p99/max ms at ${LOW_RATE}/s: ${delays(gentle.eventLoopDelay)}; bare ${delays(bareGentle.eventLoopDelay)}`);
  report.push(`  event-loop delay p50/p99/max ms at ${EVENT_RATE}/s: ${delays(atRate.eventLoopDelay)}; bare ${delays(bareAtRate.eventLoopDelay)}`);
  const stepsOf = (run: TimelineSummary) => run.gaps.map(({ name, p50Ms, p99Ms }) => ({ name, p50Ms, p99Ms }));
  const eventLatency = {
    ratePerSecond: EVENT_RATE,
    p50Ms: atRate.p50Ms,
    p99Ms: atRate.p99Ms,
    notified: atRate.events,
    sent: atRate.sent,
    mailed: atRate.mailed,
    cpuMsPerOrder: atRate.cpuMsPerOrder,
    cpuMsPerOrderTotal: atRate.cpuMsPerOrderTotal,
    ratioToBarePipeline: { ...latencyRatios.atRate, cpu: cpuRatioToBarePipeline },
    steps: stepsOf(atRate),
    eventLoopDelay: atRate.eventLoopDelay,
    barePipeline: { p50Ms: bareAtRate.p50Ms, p99Ms: bareAtRate.p99Ms, cpuMsPerEvent: bareAtRate.cpuMsPerOrderTotal, cpuMsPerEventByProcess: bareAtRate.cpuMsPerOrder, events: bareAtRate.events, sent: bareAtRate.sent, steps: stepsOf(bareAtRate), eventLoopDelay: bareAtRate.eventLoopDelay },
    lowRate: {
      ratePerSecond: LOW_RATE,
      p50Ms: gentle.p50Ms,
      p99Ms: gentle.p99Ms,
      notified: gentle.events,
      sent: gentle.sent,
      ratioToBarePipeline: latencyRatios.lowRate,
      steps: stepsOf(gentle),
      eventLoopDelay: gentle.eventLoopDelay,
      barePipeline: { p50Ms: bareGentle.p50Ms, p99Ms: bareGentle.p99Ms, cpuMsPerEvent: bareGentle.cpuMsPerOrderTotal, events: bareGentle.events, sent: bareGentle.sent, steps: stepsOf(bareGentle), eventLoopDelay: bareGentle.eventLoopDelay },
    },
  };

  return eventLatency;
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
  const [kafka, controller, bare, sink, smtp, ...servicePorts] = await Promise.all(Array.from({ length: 5 + 2 * SERVICE_NAMES.length }, () => freePort()));
  const ports = Object.fromEntries(SERVICE_NAMES.map((service, index) => [service, { http: servicePorts[2 * index], management: servicePorts[2 * index + 1] }])) as Record<ServiceName, { http: number; management: number }>;
  const profiles = (service: ServiceName) => join(work, 'profiles', service);
  const database = {
    ...postgresFromEnvironment(),
    name: `bench_${Date.now().toString(36)}`,
    passwords: { 'user-service': 'bench-user', 'order-service': 'bench-order', 'notification-service': 'bench-notification' },
  };
  // EVENT_TIMELINE: each service keeps when each event passed each step (GET /debug/event-timeline).
  const quiet = { LOG_LEVEL: 'warn', RATE_LIMIT_PER_USER: '100000000', RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_LOGIN_PER_IP: '100000000', EVENT_TIMELINE: 'true' };
  console.log(`starting the platform (own database and Kafka broker)${PROFILE ? ', services under --cpu-prof and --heap-prof' : ''}…`);
  const started = Date.now();
  const mails = await startSmtpSink(smtp);
  const platform = await LocalPlatform.start({
    ports,
    smtpUrl: mails.url,
    database,
    kafka: { start: { port: kafka, controllerPort: controller, dataDir: join(work, 'kafka'), heapMb: 768 } },
    output: work,
    extraEnv: Object.fromEntries(SERVICE_NAMES.map((service) => [service, quiet])),
    nodeArgs: PROFILE ? Object.fromEntries(SERVICE_NAMES.map((service) => [service, ['--cpu-prof', `--cpu-prof-dir=${profiles(service)}`, '--heap-prof', `--heap-prof-dir=${profiles(service)}`]])) : undefined,
    dropDatabaseOnStop: true,
  });
  const proxy = await forkBareProxy(platform.url('order-service'), bare);
  const traces = await startTraceSink(sink);
  const barePipeline = await BarePipeline.start({ databaseUrl: `postgres://${database.adminUser}@${database.host}:${database.port}/${database.name}`, brokers: platform.wiring.kafkaBrokers.split(','), partitions: 12 });
  // Once, at the end or on Ctrl-C: the services stop and the bench database is dropped either way.
  let stopped: Promise<void> | undefined;
  const tearDown = () =>
    (stopped ??= (async () => {
      await traces.close();
      await proxy.close();
      await barePipeline.stop();
      await mails.close();
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
    // Placed right after registering, the first order may wait PENDING for user.registered to reach order-service's copy.
    for (let tries = 0; tries < 100; tries++) {
      const { status } = (await (await fetch(`${api}/orders/${id}`, { headers: auth })).json()) as { status: string };
      if (status === 'CONFIRMED') break;
      await sleep(100);
    }
    const readVia = { direct: `${platform.url('order-service')}${read}`, bare: `http://127.0.0.1:${bare}${read}`, gateway: `${platform.url('gateway')}${read}` };

    if (ONLY === 'malloc') {
      const mallocThresholds = await measureMallocThresholds(platform, { read, headers: auth }, report);
      writeFileSync(join(work, 'results.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), mallocThresholds }, null, 2)}\n`);
      return;
    }
    if (ONLY === 'events') {
      const eventLatency = await measureEvents({ platform, database, barePipeline, api, headers: { ...auth, ...json }, body: orderBody, mailed: mails.messageIds, report });
      writeFileSync(join(work, 'results.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), targets: TARGETS, eventLatency }, null, 2)}\n`);
      return;
    }

    // 1. Gateway overhead on an authenticated read: saturated, then at a fixed rate.
    // Saturated in turns (direct, bare, gateway, then gateway, bare, direct: turnOrder): all three
    // meet the same neighbours, and neither a drift over the minute nor a place in the order favours one.
    const saturated = { connections: CONNECTIONS, duration: DURATION / SATURATED_TURNS, headers: auth };
    const paths = [readVia.direct, readVia.bare, readVia.gateway];
    const readTurns = new Map(paths.map((url) => [url, [] as LoadResult[]]));
    // Warmed up first (JIT, connection pools), as the tracing turns below are: steady state is compared, not start-up.
    for (const url of paths) await saturate({ url, ...saturated, duration: 3 });
    // CPU per request of each proxy, its own process's: the steadiest figure on a shared machine, where req/s move with the neighbours.
    const proxyCpu = new Map([
      [readVia.gateway, { seconds: 0, read: () => processCpuSeconds(platform.managementUrl('gateway')) }],
      [readVia.bare, { seconds: 0, read: async () => procCpuSeconds(proxy.pid) }],
    ]);
    for (let turn = 0; turn < SATURATED_TURNS; turn++) {
      for (const url of turnOrder(paths, turn)) {
        const cpu = proxyCpu.get(url);
        const cpuBefore = (await cpu?.read()) ?? 0;
        readTurns.get(url)?.push(await saturate({ url, ...saturated }));
        if (cpu) cpu.seconds += (await cpu.read()) - cpuBefore;
      }
    }
    const [direct, viaBare, viaGateway] = paths.map((url) => combineTurns(readTurns.get(url) ?? []));
    const cpuMicrosPerRequest = (url: string, rps: number) => (1e6 * (proxyCpu.get(url)?.seconds ?? NaN)) / (rps * DURATION);
    const gatewayCpuMicrosPerRequest = cpuMicrosPerRequest(readVia.gateway, viaGateway.requests.average);
    const bareProxyCpuMicrosPerRequest = cpuMicrosPerRequest(readVia.bare, viaBare.requests.average);
    const cpuRatioToBareProxy = gatewayCpuMicrosPerRequest / bareProxyCpuMicrosPerRequest;
    const ratioToDirect = viaGateway.requests.average / direct.requests.average;
    const ratioToBareProxy = viaGateway.requests.average / viaBare.requests.average;
    report.push('', `authenticated read, GET /orders/:id, ${CONNECTIONS} connections, ${DURATION} s per path in ${SATURATED_TURNS} turns (means of the turns)`);
    report.push('  path                      req/s     p50 ms   p99 ms   non-2xx   CPU per request');
    for (const [name, result, cpu] of [['direct to order-service', direct, NaN], ['bare Fastify proxy', viaBare, bareProxyCpuMicrosPerRequest], ['gateway', viaGateway, gatewayCpuMicrosPerRequest]] as const) {
      report.push(`  ${name.padEnd(24)} ${fmt(result.requests.average, 0).padStart(7)} ${fmt(result.latency.p50).padStart(9)} ${fmt(result.latency.p99).padStart(8)} ${String(result.non2xx + result.errors).padStart(9)}   ${Number.isFinite(cpu) ? `${fmt(cpu, 0)} µs` : '–'}`);
    }
    report.push(`  gateway vs direct        ${pct(ratioToDirect).padStart(7)}   (the bare proxy: ${pct(viaBare.requests.average / direct.requests.average)})`);
    report.push(`  gateway vs bare proxy    ${pct(ratioToBareProxy).padStart(7)}   target ≥ ${pct(TARGETS.ratioToBareProxy)}   ${verdict(ratioToBareProxy >= TARGETS.ratioToBareProxy)}`);
    report.push(`  CPU per request, gateway / bare proxy  ${fmt(cpuRatioToBareProxy, 2)}×   target ≤ ${TARGETS.cpuRatioToBareProxy}×   ${verdict(cpuRatioToBareProxy <= TARGETS.cpuRatioToBareProxy)}`);

    // In one-second turns (direct, bare, gateway, gateway, bare, …): a tail percentile is what the
    // neighbours move most, and this way all three paths meet the same ones.
    const [directFixed, bareFixed, gatewayFixed] = await fixedRate({ urls: [readVia.direct, readVia.bare, readVia.gateway], headers: auth, rate: FIXED_RATE, seconds: FIXED_SECONDS });
    const addedP50Ms = gatewayFixed.p50Ms - directFixed.p50Ms;
    const addedP99Ms = gatewayFixed.p99Ms - directFixed.p99Ms;
    const bareProxyAddedP50Ms = bareFixed.p50Ms - directFixed.p50Ms;
    const bareProxyAddedP99Ms = bareFixed.p99Ms - directFixed.p99Ms;
    const addedP99TargetMs = Math.max(0, bareProxyAddedP99Ms) + TARGETS.addedP99OverBareProxyMs;
    report.push('', `the same read at a fixed ${FIXED_RATE} req/s for ${FIXED_SECONDS} s per path, in one-second turns (not saturating)`);
    report.push('  path                      p50 ms   p99 ms   failed');
    for (const [name, result] of [['direct to order-service', directFixed], ['bare Fastify proxy', bareFixed], ['gateway', gatewayFixed]] as const) {
      report.push(`  ${name.padEnd(24)} ${fmt(result.p50Ms, 2).padStart(7)} ${fmt(result.p99Ms, 2).padStart(8)} ${String(result.failed).padStart(8)}`);
    }
    report.push(`  bare proxy added latency p50 +${fmt(bareProxyAddedP50Ms, 2)} ms, p99 +${fmt(bareProxyAddedP99Ms, 2)} ms`);
    report.push(
      `  gateway added latency    p50 +${fmt(addedP50Ms, 2)} ms (target ≤ ${TARGETS.addedP50Ms}) ${verdict(addedP50Ms <= TARGETS.addedP50Ms)}, p99 +${fmt(addedP99Ms, 2)} ms (target ≤ the bare proxy's + ${TARGETS.addedP99OverBareProxyMs} = ${fmt(addedP99TargetMs, 2)}) ${verdict(addedP99Ms <= addedP99TargetMs)}`,
    );

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

    const eventLatency = await measureEvents({ platform, database, barePipeline, api, headers: { ...auth, ...json }, body: orderBody, mailed: mails.messageIds, report });

    // 4. Tracing: a gateway exporting every span over OTLP/HTTP to a local sink beside one that does
    // not, started together and warmed alike, in three turns (off, on; on, off; off, on): the cost is
    // the median over the turns of the traced one's CPU per request over the other's.
    const TRACING_TURNS = 3;
    const tracing = await gatewaysSideBySide(platform, { off: {}, on: { OTEL_EXPORTER_OTLP_ENDPOINT: traces.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } }, { read, load: { connections: CONNECTIONS, headers: auth }, turnSeconds: DURATION / 2, turns: TRACING_TURNS });
    const tracingCostByTurn = tracing.on.cpuMicrosByTurn.map((on, turn) => on / tracing.off.cpuMicrosByTurn[turn] - 1);
    const tracingCost = median(tracingCostByTurn);
    report.push('', `tracing on (every span exported over OTLP to a local sink; ${traces.exports()} exports) vs off, gateway read, CPU per request, ${TRACING_TURNS} alternating turns`);
    report.push(`  off ${tracing.off.cpuMicrosByTurn.map((micros) => fmt(micros, 0)).join(' / ')} µs, on ${tracing.on.cpuMicrosByTurn.map((micros) => fmt(micros, 0)).join(' / ')} µs; req/s off ${fmt(tracing.off.rps, 0)}, on ${fmt(tracing.on.rps, 0)}`);
    report.push(`  cost per turn ${tracingCostByTurn.map(pct).join(' / ')}, median ${pct(tracingCost)} (target ≤ ${pct(TARGETS.tracingCost)}) ${verdict(tracingCost <= TARGETS.tracingCost)}`);

    // 4b. Rate limits as deployed: counted in Redis, shared by the gateway's replicas (REDIS_URL),
    // against the same limits counted in the process (the local platform's default, measured above).
    // CPU per request from each replica's /metrics.
    let rateLimits: { memoryRps: number; redisRps: number; redisRatio: number; memoryCpuMicros: number; redisCpuMicros: number } | { skipped: string };
    if (await redisAnswers(REDIS_URL)) {
      const { memory, redis } = await gatewaysSideBySide(platform, { memory: {}, redis: { REDIS_URL, REDIS_KEY_PREFIX: `bench:${Date.now().toString(36)}:` } }, { read, load: { connections: CONNECTIONS, headers: auth }, turnSeconds: DURATION / 2, turns: 2 });
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

    const mallocThresholds = await measureMallocThresholds(platform, { read, headers: auth }, report);

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
        bareProxyCpuMicrosPerRequest,
        cpuRatioToBareProxy,
        fixedRate: {
          rps: FIXED_RATE,
          addedP50Ms,
          addedP99Ms,
          bareProxyAddedP50Ms,
          bareProxyAddedP99Ms,
          directP50Ms: directFixed.p50Ms,
          gatewayP50Ms: gatewayFixed.p50Ms,
          bareProxyP50Ms: bareFixed.p50Ms,
          directP99Ms: directFixed.p99Ms,
          gatewayP99Ms: gatewayFixed.p99Ms,
          bareProxyP99Ms: bareFixed.p99Ms,
        },
        tracing: { cost: tracingCost, costByTurn: tracingCostByTurn, offCpuMicrosByTurn: tracing.off.cpuMicrosByTurn, onCpuMicrosByTurn: tracing.on.cpuMicrosByTurn, offRps: tracing.off.rps, onRps: tracing.on.rps },
        rateLimits,
        mallocThresholds,
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
    if (PROFILE) printTopFrames(profiles);
  }
}

/** Each service's top self-time frames, from the profiles its process wrote when it stopped. */
function printTopFrames(profiles: (service: ServiceName) => string): void {
  console.log('top self-time frames per service (% of busy time; profiles in tmp/bench/profiles/<service>/)');
  for (const service of SERVICE_NAMES) {
    if (!existsSync(profiles(service))) continue;
    console.log(`  ${service}`);
    for (const { frame, selfPercent } of topFrames(profiles(service), REPO_ROOT)) console.log(`    ${fmt(selfPercent).padStart(5)} %  ${frame}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
