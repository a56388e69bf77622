import pg from 'pg';
import { serviceDatabaseUrl, sleep, type LocalPlatform, type ServiceImage, type ServiceName } from '@platform/local-platform';
import { measureCapacity, openLoop, recoveredAt } from './load.ts';
import type { Traffic } from './traffic.ts';

/** Overload: the admitted requests' p99 must stay under this (they are not left to queue without end). */
const ADMITTED_P99_BOUND_MS = 1_000;

export interface RehearsalContext {
  platform: LocalPlatform;
  traffic: Traffic;
  ci: boolean;
  log: (line: string) => void;
}

/** What a scenario reports beyond the ledger: how long until the platform was whole again, and its own figures. */
export interface ScenarioOutcome {
  recoverySeconds: number;
  details?: Record<string, unknown>;
  /** Requests of the scenario's own load (overload), judged by the scenario. */
  ownRequests?: { requests: number; failed: number };
}

export interface Scenario {
  name: string;
  /** What it proves, one line (the README and docs/reliability.md list the same). */
  proves: string;
  /** Load shed on purpose (503 or 429 with Retry-After) is the expected answer, not a failure. */
  shedIsExpected?: boolean;
  run(context: RehearsalContext): Promise<ScenarioOutcome>;
}

/** Resolves once every order acknowledged in [from, to) has its notification stored; returns when that was. */
async function notifiedBy(context: RehearsalContext, from: number, to: number, timeoutMs: number): Promise<number> {
  const ids = [...context.traffic.orders.values()].filter((order) => order.acknowledgedAt >= from && order.acknowledgedAt < to).map((order) => order.id);
  const client = new pg.Client({ connectionString: serviceDatabaseUrl(context.platform.wiring.database, 'notification-service') });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: number }>("SELECT count(DISTINCT order_id)::int AS n FROM notifications WHERE type = 'order-confirmed' AND order_id = ANY($1::uuid[])", [ids]);
      if (rows[0].n === ids.length || Date.now() > deadline) return Date.now();
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}

/** The broker stops answering (SIGSTOP) for a while: every pod must stay ready and writes go on into the outbox. */
export const kafkaFreeze: Scenario = {
  name: 'kafka-freeze',
  proves: 'a frozen Kafka broker takes no pod out of its Service: reads and orders go on (outbox), events flow once it answers',
  async run(context) {
    const broker = context.platform.kafka?.process;
    if (!broker) throw new Error('kafka-freeze needs the broker this rehearsal started');
    const frozenAt = Date.now();
    broker.pause();
    try {
      await sleep(12_000);
    } finally {
      broker.resume();
    }
    const resumedAt = Date.now();
    const notified = await notifiedBy(context, frozenAt, resumedAt, 120_000);
    return { recoverySeconds: (notified - resumedAt) / 1000, details: { frozenSeconds: (resumedAt - frozenAt) / 1000 } };
  },
};

/** A rolling update of one service to a fresh build of itself, under traffic. */
export function roll(service: ServiceName): Scenario {
  return {
    name: `roll-${service}`,
    proves: `${service}'s replicas replaced one at a time (surge one, ready, preStop, SIGTERM) with no request failing`,
    async run(context) {
      const started = Date.now();
      const result = await context.platform.roll(service, undefined, (line) => context.log(`  ${line}`));
      if (result.exitCodes.some((code) => code !== 0)) throw new Error(`an old ${service} replica exited with ${result.exitCodes.join(', ')}`);
      return { recoverySeconds: (Date.now() - started) / 1000, details: { replaced: result.replaced } };
    },
  };
}

/** Three times the measured capacity, open loop, at the edge: the excess must be shed fast and nothing may break. */
export const overload: Scenario = {
  name: 'overload',
  proves: 'three times the measured capacity is shed fast (503 or 429 with Retry-After), admitted requests keep a bounded p99, no process crashes, full service returns within seconds',
  shedIsExpected: true,
  async run(context) {
    const url = `${context.platform.url('gateway')}/api/v1/users/me`;
    const headers = { authorization: `Bearer ${context.traffic.customers[0].accessToken}` };
    const capacity = await measureCapacity(url, headers, context.ci ? 4 : 8);
    const restartsBefore = (await context.platform.replicaList()).reduce((sum, replica) => sum + replica.restarts, 0);
    const rate = Math.round(capacity * 3);
    context.log(`  capacity ${Math.round(capacity)} req/s (authenticated reads through the edge); offering ${rate} req/s for ${context.ci ? 10 : 20} s`);
    const load = await openLoop(url, headers, rate, context.ci ? 10 : 20);
    const stoppedAt = Date.now();
    const recovered = await recoveredAt(url, headers, 60_000);
    const restarts = (await context.platform.replicaList()).reduce((sum, replica) => sum + replica.restarts, 0) - restartsBefore;
    const failed = load.failed + restarts + (load.admittedP99Ms > ADMITTED_P99_BOUND_MS ? 1 : 0);
    return {
      recoverySeconds: (recovered - stoppedAt) / 1000,
      ownRequests: { requests: load.sent, failed },
      details: { capacityPerSecond: Math.round(capacity), offeredPerSecond: rate, ...load, restarts, admittedP99BoundMs: ADMITTED_P99_BOUND_MS },
    };
  },
};

/**
 * A schema change shipped expand/contract, under traffic: the service starts at an older release
 * (the platform was started with it), then rolls to each later release in turn, each release's
 * migration first, as its migration Job runs before its pods, so two releases always run side by
 * side against the newer schema.
 */
export function expandContract(service: ServiceName, releases: ServiceImage[]): Scenario {
  return {
    name: 'expand-contract',
    proves: `${service} rolled through its releases (${releases.map((image) => image.version).join(' → ')} → the current build), each migration first, two versions side by side, with no request failing`,
    async run(context) {
      const started = Date.now();
      const versions: string[] = [];
      for (const image of [...releases, undefined]) {
        const result = await context.platform.roll(service, image, (line) => context.log(`  ${line}`));
        if (result.exitCodes.some((code) => code !== 0)) throw new Error(`an old ${service} replica exited with ${result.exitCodes.join(', ')}`);
        versions.push(result.version);
      }
      return { recoverySeconds: (Date.now() - started) / 1000, details: { versions } };
    },
  };
}
