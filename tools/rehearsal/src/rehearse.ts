// `./platform rehearse [--ci] [scenario…]`: the production rehearsal of SPEC §5. Runs the platform
// as Kubernetes runs it (replicas behind load balancers that route only to ready replicas), puts
// steady client traffic on it, runs each scenario under that traffic, and ends with a ledger of
// every acknowledged order. Prints one line per scenario and writes tmp/rehearsal/results.json;
// exits 1 when a scenario failed a request, lost or doubled anything.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, LocalPlatform, postgresFromEnvironment, REPO_ROOT, SERVICE_NAMES, type LocalPlatformOptions } from '@platform/local-platform';
import { collectFacts, decisionsOnTopic, settle, tally, type LedgerTotals, type Sources } from './ledger.ts';
import { kafkaFreeze, roll, type Scenario, type ScenarioOutcome } from './scenarios.ts';
import { Traffic, type RequestRecord } from './traffic.ts';

const WORK_DIR = join(REPO_ROOT, 'tmp', 'rehearsal');
const REPLICAS = 2;

const SCENARIOS: Scenario[] = [kafkaFreeze, roll('gateway'), roll('user-service'), roll('order-service'), roll('notification-service')];

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
  [detail: string]: unknown;
}

const log = (line: string) => console.log(line);

/** A request the client did not get what it asked for: no answer, a 5xx, or any answer but the success it expects. */
const isFailure = (record: RequestRecord) => record.status === 0 || record.status >= 300;

async function startPlatform(): Promise<LocalPlatform> {
  const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (service) => [service, { http: await freePort(), management: await freePort() }]))) as LocalPlatformOptions['ports'];
  const id = Date.now().toString(36);
  return LocalPlatform.start(
    {
      ports,
      database: { ...postgresFromEnvironment(), name: `rehearsal_${id}`, passwords: { 'user-service': 'rehearsal-user', 'order-service': 'rehearsal-order', 'notification-service': 'rehearsal-notification' } },
      kafka: { start: { port: await freePort(), controllerPort: await freePort(), dataDir: join(WORK_DIR, 'kafka') } },
      output: join(WORK_DIR, 'logs'),
      replicas: { count: REPLICAS, workDir: WORK_DIR },
      dropDatabaseOnStop: true,
      extraEnv: {
        // The customers all come from this machine's address: the per-address limits would treat
        // them as one client. Per-user limits stay as deployed.
        gateway: { RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_LOGIN_PER_IP: '1000000' },
        'notification-service': { MAIL_POLL_INTERVAL_MS: '200', MAIL_RETRY_INITIAL_MS: '200', MAIL_RETRY_MAX_MS: '1000' },
      },
    },
    (line) => log(`  ${line}`),
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { ci: { type: 'boolean' } } });
  const ci = values.ci === true || process.env['CI'] === 'true';
  const scenarios = positionals.length > 0 ? SCENARIOS.filter((scenario) => positionals.includes(scenario.name)) : SCENARIOS;
  if (scenarios.length === 0) throw new Error(`no such scenario; there are: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`);
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const startedAt = new Date();
  log(`rehearsal: ${REPLICAS} replicas of every service behind HAProxy; logs in ${join(WORK_DIR, 'logs')}`);
  const platform = await startPlatform();
  const traffic = new Traffic({ api: `${platform.url('gateway')}/api/v1`, customers: 12, readsPerSecond: 20, ordersPerSecond: 4 });
  const stop = async () => {
    await traffic.closeStreams().catch(() => undefined);
    await platform.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  const windows: Window[] = [];
  try {
    await traffic.start();
    log(`traffic: ${traffic.customers.length} customers, 20 reads/s, 4 orders/s with Idempotency-Key, a live stream each`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    for (const scenario of scenarios) {
      log(`scenario ${scenario.name}: ${scenario.proves}`);
      const window: Window = { scenario, start: Date.now(), end: 0 };
      windows.push(window);
      try {
        window.outcome = await scenario.run({ platform, traffic, ci, log });
      } catch (error) {
        window.error = (error as Error).message;
        log(`  failed: ${window.error}`);
      }
      // Effects of the scenario's last requests land inside its window.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      window.end = Date.now();
    }
    await traffic.stop();
    const sources: Sources = { database: platform.wiring.database, kafkaBrokers: platform.wiring.kafkaBrokers, mail: platform.mailCatcher!, traffic };
    log('ledger: waiting for the platform to settle (outboxes sent, lag 0, mails delivered, streams caught up)…');
    const settledSeconds = await settle(sources, 180_000);
    const topic = await decisionsOnTopic(platform.wiring.kafkaBrokers);
    const facts = await collectFacts(sources, topic.decisions);
    const results: Record<string, ScenarioResult> = {};
    for (const window of windows) {
      const records = traffic.recordsBetween(window.start, window.end);
      const ledger: LedgerTotals = tally(facts.filter((fact) => fact.order.acknowledgedAt >= window.start && fact.order.acknowledgedAt < window.end));
      const failed = records.filter(isFailure).length + (window.outcome?.ownRequests?.failed ?? 0) + (window.error ? 1 : 0);
      results[window.scenario.name] = {
        requests: records.length + (window.outcome?.ownRequests?.requests ?? 0),
        failed,
        lost: ledger.lost,
        duplicated: ledger.duplicated,
        recoverySeconds: Math.round((window.outcome?.recoverySeconds ?? 0) * 10) / 10,
        acknowledgedOrders: ledger.acknowledged,
        ...(Object.keys(ledger.problems).length > 0 ? { problems: ledger.problems } : {}),
        ...(window.error ? { error: window.error } : {}),
        ...window.outcome?.details,
        failures: summarize(records.filter(isFailure)),
      };
    }
    const whole = tally(facts);
    log('');
    for (const [name, result] of Object.entries(results)) {
      log(`${name.padEnd(26)} requests ${String(result.requests).padStart(6)}  failed ${result.failed}  lost ${result.lost}  duplicated ${result.duplicated}  recovery ${result.recoverySeconds} s`);
    }
    log(`${'whole run'.padEnd(26)} ${whole.acknowledged} acknowledged orders: lost ${whole.lost}, duplicated ${whole.duplicated}; settled in ${settledSeconds.toFixed(0)} s`);
    log(`  decision events published more than once (absorbed by the consumers' inboxes): ${topic.repeatedMessages}`);
    for (const [kind, problem] of Object.entries(whole.problems)) log(`  ${kind}: ${problem.count} (e.g. ${problem.examples.join(', ')})`);
    const output = { startedAt: startedAt.toISOString(), ci, replicas: REPLICAS, scenarios: results, ledger: { ...whole, repeatedDecisionMessages: topic.repeatedMessages, settledSeconds } };
    writeFileSync(join(WORK_DIR, 'results.json'), `${JSON.stringify(output, null, 2)}\n`);
    log(`results: ${join(WORK_DIR, 'results.json')}`);
    const clean = Object.values(results).every((result) => result.failed === 0 && result.lost === 0 && result.duplicated === 0) && whole.lost === 0 && whole.duplicated === 0;
    return clean ? 0 : 1;
  } finally {
    await stop();
  }
}

/** Failed requests by operation and status (or error), for the results file. */
function summarize(records: RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const key = `${record.op} ${record.status || record.error}`;
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
