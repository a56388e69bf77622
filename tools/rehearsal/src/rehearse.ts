// `./platform rehearse [--ci] [scenario…]`: the production rehearsal of SPEC §5. Runs the platform
// as Kubernetes runs it (replicas behind load balancers that route only to ready replicas), puts
// steady client traffic on it, runs each scenario under that traffic, and ends with a ledger of
// every acknowledged order. Prints one line per scenario and writes tmp/rehearsal/results.json;
// exits 1 when a scenario failed a request, lost or doubled anything.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, LocalPlatform, PostgresCluster, REPO_ROOT, SERVICE_NAMES, serviceDatabaseUrl, sleep, type LocalPlatformOptions, type ServiceImage, type ServiceName } from '@platform/local-platform';
import { collectFacts, readOrderTopic, settle, tally, type LedgerTotals, type Sources } from './ledger.ts';
import { buildRelease, releasesBefore } from './releases.ts';
import { crashLoop, expandContract, kafkaFreeze, kafkaLeaderLoss, overload, postgresFailover, roll, soak, type Scenario, type ScenarioOutcome } from './scenarios.ts';
import { Traffic, type RequestRecord } from './traffic.ts';

const WORK_DIR = join(REPO_ROOT, 'tmp', 'rehearsal');
const REPLICAS = 2;

/** The service whose last releases the expand-contract scenario rolls through (docs/deploy.md's example). */
const EXPAND_CONTRACT = { service: 'order-service', releases: 2 } as const;

/** In the order they run: expand-contract first, so that everything after it runs the current code; the soak last. */
const SCENARIO_NAMES = [
  'expand-contract',
  'kafka-freeze',
  'roll-gateway',
  'roll-user-service',
  'roll-order-service',
  'roll-notification-service',
  'kafka-leader-loss',
  'postgres-failover',
  'crash-loop',
  'overload',
  'soak',
];

interface Window {
  scenario: Scenario;
  start: number;
  end: number;
  outcome?: ScenarioOutcome;
  error?: string;
}

export interface ScenarioResult {
  requests: number;
  failed: number;
  lost: number;
  duplicated: number;
  recoverySeconds: number;
  /** What failed: the scenario's own error, the traffic's first twenty failed requests, then what the scenario judged failed. */
  failedExamples: string[];
  [detail: string]: unknown;
}

const log = (line: string) => console.log(line);

/**
 * A request that did not get what it asked for: no answer, a 5xx, or any answer but the success
 * it expects. Load shed on purpose (503 or 429 with Retry-After) is expected only where the
 * scenario sheds; a 503 problem (an answer, not a hang) only where a dependency is being lost.
 */
const failureIn = (scenario: Scenario) => (record: RequestRecord) =>
  (record.status === 0 || record.status >= 300) && !(scenario.expects?.shed && record.shed) && !(scenario.expects?.unavailable && record.status === 503 && record.error !== undefined && record.ms < 10_000);

interface Infrastructure {
  postgres: PostgresCluster;
  kafkaPorts: { port: number; controllerPort: number }[];
}

/** Postgres as CloudNativePG runs it here (a primary and a synchronous standby behind a read-write address), three Kafka ports. */
async function startInfrastructure(): Promise<Infrastructure> {
  const synchronous = process.env['REHEARSE_REPLICATION'] !== 'async';
  const postgres = await PostgresCluster.start({
    dataDir: join(WORK_DIR, 'postgres'),
    primaryPort: await freePort(),
    standbyPort: await freePort(),
    readWritePort: await freePort(),
    output: (node) => join(WORK_DIR, 'logs', `${node}.log`),
    synchronous,
  });
  log(`  postgres: a primary and a ${synchronous ? 'synchronous' : 'ASYNCHRONOUS (REHEARSE_REPLICATION=async)'} standby behind 127.0.0.1:${postgres.port}`);
  const kafkaPorts = await Promise.all([1, 2, 3].map(async () => ({ port: await freePort(), controllerPort: await freePort() })));
  return { postgres, kafkaPorts };
}

async function startPlatform(infrastructure: Infrastructure, images: LocalPlatformOptions['images']): Promise<LocalPlatform> {
  const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (service) => [service, { http: await freePort(), management: await freePort() }]))) as LocalPlatformOptions['ports'];
  const { postgres } = infrastructure;
  return LocalPlatform.start(
    {
      ports,
      database: { host: postgres.host, port: postgres.port, adminUser: postgres.adminUser, name: 'platform', passwords: { 'user-service': 'rehearsal-user', 'order-service': 'rehearsal-order', 'notification-service': 'rehearsal-notification' } },
      kafka: { cluster: { ports: infrastructure.kafkaPorts, dataDir: join(WORK_DIR, 'kafka') } },
      output: join(WORK_DIR, 'logs'),
      replicas: { count: REPLICAS, workDir: WORK_DIR },
      images,
      extraEnv: {
        // The customers all come from this machine's address: the per-address limits would treat
        // them as one client. The overload comes from one customer: what must shed it is admission
        // control, not that customer's rate limit (the rate limits have their own e2e suite).
        gateway: { RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_LOGIN_PER_IP: '1000000', RATE_LIMIT_PER_USER: '1000000' },
        'notification-service': { MAIL_POLL_INTERVAL_MS: '200', MAIL_RETRY_INITIAL_MS: '200', MAIL_RETRY_MAX_MS: '1000' },
      },
    },
    (line) => log(`  ${line}`),
  );
}

function scenarioNamed(name: string, older: ServiceImage[], infrastructure: Infrastructure): Scenario {
  if (name === 'expand-contract') return expandContract(EXPAND_CONTRACT.service, older.slice(1));
  if (name === 'kafka-freeze') return kafkaFreeze;
  if (name === 'kafka-leader-loss') return kafkaLeaderLoss;
  if (name === 'postgres-failover') return postgresFailover(infrastructure.postgres);
  if (name === 'crash-loop') return crashLoop;
  if (name === 'overload') return overload;
  if (name === 'soak') return soak;
  return roll(name.replace(/^roll-/, '') as ServiceName);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { ci: { type: 'boolean' } } });
  const ci = values.ci === true || process.env['CI'] === 'true';
  const unknown = positionals.filter((name) => !SCENARIO_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`no scenario ${unknown.join(', ')}; there are: ${SCENARIO_NAMES.join(', ')}`);
  const chosen = SCENARIO_NAMES.filter((name) => positionals.length === 0 || positionals.includes(name));
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(join(WORK_DIR, 'logs'), { recursive: true });
  const startedAt = new Date();
  // The older releases are built before anything runs (the build would disturb the traffic).
  const older = chosen.includes('expand-contract') ? releasesBefore(EXPAND_CONTRACT.service, EXPAND_CONTRACT.releases).map((release) => buildRelease(EXPAND_CONTRACT.service, release, log)) : [];
  log(`rehearsal: ${REPLICAS} replicas of every service behind HAProxy, a three-node Kafka cluster, Postgres with a standby; logs in ${join(WORK_DIR, 'logs')}`);
  const infrastructure = await startInfrastructure();
  let platform: LocalPlatform | undefined;
  let traffic: Traffic | undefined;
  const stop = async () => {
    await traffic?.closeStreams().catch(() => undefined);
    await platform?.stop();
    await infrastructure.postgres.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  try {
    platform = await startPlatform(infrastructure, older.length > 0 ? { [EXPAND_CONTRACT.service]: older[0] } : undefined);
    traffic = new Traffic({ api: `${platform.url('gateway')}/api/v1`, customers: 12, readsPerSecond: 20, ordersPerSecond: 4 });
    const scenarios = chosen.map((name) => scenarioNamed(name, older, infrastructure));
    const windows: Window[] = [];
    await traffic.start();
    log(`traffic: ${traffic.customers.length} customers, 20 reads/s, 4 orders/s with Idempotency-Key, a live stream each`);
    await sleep(5_000);
    for (const scenario of scenarios) {
      log(`scenario ${scenario.name}: ${scenario.proves}`);
      const window: Window = { scenario, start: Date.now(), end: 0 };
      windows.push(window);
      try {
        window.outcome = await scenario.run({ platform, traffic, ci, log, workDir: WORK_DIR });
      } catch (error) {
        window.error = (error as Error).message;
        log(`  failed: ${window.error}`);
      }
      // Effects of the scenario's last requests land inside its window.
      await sleep(3_000);
      window.end = Date.now();
    }
    await traffic.stop();
    const sources: Sources = { database: platform.wiring.database, kafkaBrokers: platform.wiring.kafkaBrokers, mail: platform.mailCatcher!, traffic };
    log('ledger: waiting for the platform to settle (outboxes sent, lag 0, mails delivered, streams caught up)…');
    const settledSeconds = await settle(sources, 180_000);
    if (process.env['REHEARSE_SABOTAGE'] === 'delete-order') await deleteAnOrder(platform, traffic);
    const topic = await readOrderTopic(platform.wiring.kafkaBrokers);
    const facts = await collectFacts(sources, topic);
    const results: Record<string, ScenarioResult> = {};
    for (const window of windows) {
      const records = traffic.recordsBetween(window.start, window.end);
      const ledger: LedgerTotals = tally(facts.filter((fact) => fact.order.acknowledgedAt >= window.start && fact.order.acknowledgedAt < window.end));
      const saturated = (record: RequestRecord) => record.shed && record.at < (window.outcome?.saturatedUntil ?? 0);
      const failures = records.filter(failureIn(window.scenario)).filter((record) => !saturated(record));
      const shedWhileSaturated = records.filter(saturated).length;
      const failed = failures.length + (window.outcome?.ownRequests?.failed ?? 0) + (window.error ? 1 : 0);
      results[window.scenario.name] = {
        ...window.outcome?.details,
        requests: records.length + (window.outcome?.ownRequests?.requests ?? 0),
        failed,
        lost: ledger.lost,
        duplicated: ledger.duplicated,
        recoverySeconds: Math.round((window.outcome?.recoverySeconds ?? 0) * 10) / 10,
        acknowledgedOrders: ledger.acknowledged,
        ...(ledger.mailRepeats > 0 ? { mailRepeats: ledger.mailRepeats } : {}),
        ...(Object.keys(ledger.problems).length > 0 ? { problems: ledger.problems } : {}),
        ...(window.error ? { error: window.error } : {}),
        failures: summarize(failures),
        ...(shedWhileSaturated > 0 ? { shedWhileMeasuringCapacity: shedWhileSaturated } : {}),
        // What failed, in words, for the summary a CI log keeps (results.json stays on the machine).
        failedExamples: [
          ...(window.error ? [`error: ${window.error}`] : []),
          ...failures.slice(0, 20).map((record) => `${((record.at - window.start) / 1000).toFixed(1)} s in: ${describe(record)} after ${Math.round(record.ms)} ms`),
          ...(window.outcome?.ownRequests?.examples ?? []),
        ],
      };
    }
    const whole = tally(facts);
    log('');
    for (const [name, result] of Object.entries(results)) {
      log(`${name.padEnd(26)} requests ${String(result.requests).padStart(6)}  failed ${result.failed}  lost ${result.lost}  duplicated ${result.duplicated}  recovery ${result.recoverySeconds} s`);
      for (const failure of result.failedExamples.slice(0, 5)) log(`  ${failure}`);
    }
    log(`${'whole run'.padEnd(26)} ${whole.acknowledged} acknowledged orders: lost ${whole.lost}, duplicated ${whole.duplicated}; settled in ${settledSeconds.toFixed(0)} s`);
    log(`  decision events published more than once (absorbed by the consumers' inboxes): ${topic.repeatedMessages}`);
    log(`  mails delivered again with the same Message-ID (a crash between the SMTP server's 250 and the sender's record): ${whole.mailRepeats}`);
    for (const [kind, problem] of Object.entries(whole.problems)) log(`  ${kind}: ${problem.count} (e.g. ${problem.examples.join(', ')})`);
    const output = { startedAt: startedAt.toISOString(), ci, replicas: REPLICAS, scenarios: results, ledger: { ...whole, repeatedDecisionMessages: topic.repeatedMessages, settledSeconds } };
    writeFileSync(join(WORK_DIR, 'results.json'), `${JSON.stringify(output, null, 2)}\n`);
    log(`results: ${join(WORK_DIR, 'results.json')}`);
    const tolerated = (name: string) => scenarios.find((scenario) => scenario.name === name)?.expects?.failedRequests === true;
    const clean = Object.entries(results).every(([name, result]) => (result.failed === 0 || tolerated(name)) && result.lost === 0 && result.duplicated === 0) && whole.lost === 0 && whole.duplicated === 0;
    return clean ? 0 : 1;
  } finally {
    await stop();
  }
}

/**
 * The ledger's own test (REHEARSE_SABOTAGE=delete-order): one acknowledged order deleted behind
 * the platform's back, as a lost write would leave it; the ledger must report it lost.
 */
async function deleteAnOrder(platform: LocalPlatform, traffic: Traffic): Promise<void> {
  const [victim] = traffic.orders.keys();
  const client = new pg.Client({ connectionString: serviceDatabaseUrl(platform.wiring.database, 'order-service') });
  await client.connect();
  try {
    await client.query('DELETE FROM orders WHERE id = $1', [victim]);
    log(`  sabotage: order ${victim}, acknowledged with 201, deleted behind the platform's back`);
  } finally {
    await client.end();
  }
}

/** A request in words: its operation, status and error ("read 503 GATEWAY.OVERLOADED"). */
const describe = (record: RequestRecord) => `${record.op} ${record.status || ''} ${record.error ?? ''}`.replace(/\s+/g, ' ').trim();

/** Failed requests by operation and status (or error), for the results file. */
function summarize(records: RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const key = describe(record);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
