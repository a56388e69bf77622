import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { serviceDatabaseUrl, SERVICE_NAMES, sleep, type LocalPlatform, type PostgresCluster, type ServiceImage, type ServiceName } from '@platform/local-platform';
import { KafkaTestClient } from '@platform/testing';
import { measureCapacity, openLoop, recoveredAt } from './load.ts';
import { sampleProcesses, slopes } from './soak.ts';
import type { Traffic } from './traffic.ts';

/**
 * Overload: the admitted requests' p99 must stay within this many times the p99 of a busy but not
 * overloaded platform (32 requests at a time, measured just before), and never needs to be under a
 * second: admission control keeps the admitted from queueing without end; without it the p99 grows
 * with the length of the overload.
 */
const ADMITTED_P99_BOUND = { timesBusyP99: 3, atLeastMs: 1_000 };

export interface RehearsalContext {
  platform: LocalPlatform;
  traffic: Traffic;
  ci: boolean;
  log: (line: string) => void;
  /** Where a scenario may leave files beside results.json (the soak's every look). */
  workDir: string;
}

/** What a scenario reports beyond the ledger: how long until the platform was whole again, and its own figures. */
export interface ScenarioOutcome {
  recoverySeconds: number;
  details?: Record<string, unknown>;
  /** Requests of the scenario's own load (overload), judged by the scenario; `examples` says what failed. */
  ownRequests?: { requests: number; failed: number; examples?: string[] };
  /**
   * Until then the scenario saturated the platform on purpose (it measured its capacity): the
   * traffic's requests shed meanwhile (503 or 429 with Retry-After) are the platform doing its job,
   * counted apart, not as failures. Any other failure in that time still counts.
   */
  saturatedUntil?: number;
}

export interface Scenario {
  name: string;
  /** What it proves, one line (the README and docs/reliability.md list the same). */
  proves: string;
  /** Answers that are right in this scenario, not failures. */
  expects?: {
    /** Load shed on purpose: 503 or 429 with Retry-After. */
    shed?: boolean;
    /** A dependency is being lost: a prompt 503 problem, never a hang. */
    unavailable?: boolean;
    /** Replicas are killed mid-request: failed requests are reported, the ledger is what must hold. */
    failedRequests?: boolean;
  };
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

/** The brokers stop answering (SIGSTOP) for a while: every pod must stay ready and writes go on into the outbox. */
export const kafkaFreeze: Scenario = {
  name: 'kafka-freeze',
  proves: 'a frozen Kafka cluster takes no pod out of its Service: reads and orders go on (outbox), events flow once it answers',
  async run(context) {
    const cluster = context.platform.kafkaCluster;
    if (!cluster) throw new Error('kafka-freeze needs the Kafka cluster this rehearsal started');
    const frozenAt = Date.now();
    const balancer = watchReadiness(context.platform);
    // Longer than the readiness probe needs to take a pod out (period × failureThreshold + timeout:
    // 5 × 2 + 3 s), and every replica's own /health/ready asked each second meanwhile, as a kubelet would.
    let probes = 0;
    const unready: string[] = [];
    cluster.pause();
    try {
      while (Date.now() - frozenAt < 20_000) {
        for (const replica of await context.platform.replicaList()) {
          probes++;
          const status = await fetch(`http://127.0.0.1:${replica.port}/health/ready`, { signal: AbortSignal.timeout(3_000) }).then((response) => response.status, () => 0);
          if (status !== 200) unready.push(`${replica.name} ${status}`);
        }
        await sleep(1_000);
      }
    } finally {
      cluster.resume();
    }
    const resumedAt = Date.now();
    const outOfRotation = await balancer.stop();
    const notified = await notifiedBy(context, frozenAt, resumedAt, 120_000);
    return {
      recoverySeconds: (notified - resumedAt) / 1000,
      ownRequests: { requests: probes, failed: unready.length + outOfRotation.length, examples: [...unready.slice(0, 20), ...outOfRotation] },
      details: { frozenSeconds: (resumedAt - frozenAt) / 1000, readinessProbes: probes, notReadyAnswers: unready.slice(0, 20), outOfRotation },
    };
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

/** An open loop's failed requests by kind, in words ("3 × 502"). */
const inWords = (failures: Record<string, number>) => Object.entries(failures).map(([what, count]) => `${count} × ${what}`);

/** Three times the measured capacity, open loop, at the edge: the excess must be shed fast and nothing may break. */
export const overload: Scenario = {
  name: 'overload',
  proves: 'three times the measured capacity is shed fast (503 or 429 with Retry-After), admitted requests keep a bounded p99, no process crashes, full service returns within seconds',
  expects: { shed: true },
  async run(context) {
    const url = `${context.platform.url('gateway')}/api/v1/users/me`;
    const headers = { authorization: `Bearer ${context.traffic.customers[0].accessToken}` };
    const busy = await measureCapacity(url, headers, context.ci ? 4 : 8);
    const restartsBefore = (await context.platform.replicaList()).reduce((sum, replica) => sum + replica.restarts, 0);
    const rate = Math.round(busy.perSecond * 3);
    const bound = Math.max(ADMITTED_P99_BOUND.atLeastMs, ADMITTED_P99_BOUND.timesBusyP99 * busy.p99Ms);
    context.log(`  capacity ${Math.round(busy.perSecond)} req/s, p99 ${busy.p99Ms} ms (authenticated reads through the edge); offering ${rate} req/s for ${context.ci ? 10 : 20} s`);
    const load = await openLoop(url, headers, rate, context.ci ? 10 : 20);
    const stoppedAt = Date.now();
    const recovered = await recoveredAt(url, headers, 60_000);
    const restarts = (await context.platform.replicaList()).reduce((sum, replica) => sum + replica.restarts, 0) - restartsBefore;
    const failed = load.failed + restarts + (load.admittedP99Ms > bound ? 1 : 0);
    const examples = [
      ...inWords(load.failures),
      ...(restarts > 0 ? [`${restarts} replica restart(s)`] : []),
      ...(load.admittedP99Ms > bound ? [`admitted p99 ${load.admittedP99Ms} ms over its ${bound} ms bound`] : []),
    ];
    return {
      recoverySeconds: (recovered - stoppedAt) / 1000,
      ownRequests: { requests: load.sent, failed, examples },
      details: {
        capacityPerSecond: Math.round(busy.perSecond),
        busyP99Ms: busy.p99Ms,
        offeredPerSecond: rate,
        sent: load.sent,
        admitted: load.admitted,
        shed: load.shed,
        admittedP50Ms: load.admittedP50Ms,
        admittedP99Ms: load.admittedP99Ms,
        shedP99Ms: load.shedP99Ms,
        issueLagP99Ms: load.issueLagP99Ms,
        loadFailures: load.failures,
        restarts,
        admittedP99BoundMs: bound,
      },
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

/**
 * Watches that every replica that should be in rotation is: one that is neither starting,
 * restarting nor terminating but that the balancer does not route to has failed its readiness.
 * Resolves with one line per replica that was out: from when, until when, how many looks.
 */
function watchReadiness(platform: LocalPlatform): { stop(): Promise<string[]> } {
  const out = new Map<string, { from: string; until: string; looks: number }>();
  let watching = true;
  const loop = (async () => {
    while (watching) {
      for (const replica of await platform.replicaList()) {
        if (replica.state !== 'ready' || replica.ready) continue;
        const now = new Date().toISOString();
        const seen = out.get(replica.name) ?? { from: now, until: now, looks: 0 };
        out.set(replica.name, { ...seen, until: now, looks: seen.looks + 1 });
      }
      await sleep(500);
    }
  })();
  return {
    async stop() {
      watching = false;
      await loop;
      return [...out].map(([name, seen]) => `${name}: out of rotation ${seen.from} – ${seen.until} (${seen.looks} looks)`);
    },
  };
}

/** When every consumer group is caught up on the platform's topics. */
async function caughtUp(brokers: string, timeoutMs: number): Promise<number> {
  const kafka = new KafkaTestClient(brokers);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const lag = (await kafka.lag('order-service', ['platform.users']).catch(() => -1n)) + (await kafka.lag('notification-service', ['platform.users', 'platform.orders']).catch(() => -1n));
    if (lag === 0n) return Date.now();
    await sleep(500);
  }
  return Date.now();
}

/** The node leading the most partitions of a topic. */
async function busiestLeader(brokers: string, topic: string): Promise<{ node: number; partitions: number }> {
  const admin = new Kafka({ clientId: 'rehearsal', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const led = new Map<number, number>();
    for (const partition of metadata.partitions) led.set(partition.leader, (led.get(partition.leader) ?? 0) + 1);
    const [node, partitions] = [...led].sort((a, b) => b[1] - a[1])[0];
    return { node, partitions };
  } finally {
    await admin.disconnect();
  }
}

/** The broker that leads the most partitions of platform.orders is killed under load, then the active controller. */
export const kafkaLeaderLoss: Scenario = {
  name: 'kafka-leader-loss',
  proves: 'the broker leading most partitions of platform.orders, then the active controller, SIGKILLed under load: nothing acknowledged lost or doubled, order kept per aggregate, every pod ready, every consumer back to lag 0',
  async run(context) {
    const cluster = context.platform.kafkaCluster;
    if (!cluster) throw new Error('kafka-leader-loss needs the Kafka cluster this rehearsal started');
    const brokers = context.platform.wiring.kafkaBrokers;
    const readiness = watchReadiness(context.platform);
    const started = Date.now();
    const leader = await busiestLeader(brokers, 'platform.orders');
    context.log(`  node ${leader.node} leads ${leader.partitions} of platform.orders' partitions: SIGKILL`);
    await cluster.kill(leader.node);
    await sleep(15_000);
    await cluster.restart(leader.node);
    context.log(`  node ${leader.node} started again`);
    await sleep(10_000);
    const controller = cluster.activeController();
    context.log(`  node ${controller} is the active controller: SIGKILL`);
    await cluster.kill(controller);
    await sleep(15_000);
    await cluster.restart(controller);
    context.log(`  node ${controller} started again`);
    const restartedAt = Date.now();
    const recovered = await caughtUp(brokers, 120_000);
    const notReady = await readiness.stop();
    return {
      recoverySeconds: (recovered - restartedAt) / 1000,
      details: { killed: { leaderOfMostPartitions: leader.node, controller }, notReady, totalSeconds: (recovered - started) / 1000 },
      ownRequests: { requests: 0, failed: notReady.length, examples: notReady },
    };
  },
};

/** The Postgres primary is killed under load; the standby is promoted and the read-write address follows it. */
export function postgresFailover(postgres: PostgresCluster): Scenario {
  return {
    name: 'postgres-failover',
    proves: 'the Postgres primary lost under load (every process SIGKILLed) while its standby was 3 s behind, the standby promoted, the read-write address repointed: no acknowledged write lost (synchronous replication), requests meanwhile answered 503 problem+json (never hung), pools and LISTEN connections back by themselves',
    expects: { unavailable: true },
    async run(context) {
      const customer = context.traffic.customers[0];
      const lost = postgres.primary.name;
      // Under load: a burst of orders from every customer; in the middle of it the standby falls
      // 3 s behind (the primary's WAL sender paused), then the primary's node is lost.
      const burst = context.traffic.burst(6_000, 24);
      await sleep(1_000);
      const killedAt = Date.now();
      const promoted = await postgres.failover(3_000);
      context.log(`  ${lost} killed; ${promoted.name} promoted and behind the read-write address after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
      // Recovered: a new order goes through and its notification is stored (relay's LISTEN, consumers, pools all back).
      const api = `${context.platform.url('gateway')}/api/v1`;
      let orderId: string | undefined;
      while (!orderId && Date.now() - killedAt < 120_000) {
        const response = await fetch(`${api}/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${customer.accessToken}`, 'content-type': 'application/json', 'idempotency-key': `failover-probe-${killedAt}` },
          body: JSON.stringify({ currency: 'EUR', items: [{ sku: 'FAILOVER-PROBE', quantity: 1, unitPrice: 100 }] }),
        }).catch(() => undefined);
        if (response?.status === 201) orderId = ((await response.json()) as { id: string }).id;
        else await sleep(200);
      }
      const accepting = Date.now();
      await burst;
      const notified = await notifiedBy(context, killedAt, Date.now(), 60_000);
      return { recoverySeconds: (accepting - killedAt) / 1000, details: { killed: lost, promoted: promoted.name, writesBackSeconds: (accepting - killedAt) / 1000, eventsBackSeconds: (notified - killedAt) / 1000 } };
    },
  };
}

/** A random replica of a random service SIGKILLed every few seconds for a minute; the deployments start them again. */
export const crashLoop: Scenario = {
  name: 'crash-loop',
  proves: 'a random replica of a random service SIGKILLed every few seconds for a minute (each started again): the ledger stays exact',
  expects: { failedRequests: true },
  async run(context) {
    const killed: string[] = [];
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const service = SERVICE_NAMES[Math.floor(Math.random() * SERVICE_NAMES.length)];
      const deployment = context.platform.deployment(service);
      const index = Math.floor(Math.random() * deployment.size);
      const name = (await deployment.list())[index]?.name;
      if (name && (await deployment.list())[index]?.state === 'ready') {
        await deployment.kill(index);
        killed.push(name);
      }
      await sleep(3_000 + Math.random() * 3_000);
    }
    const stoppedAt = Date.now();
    while (Date.now() - stoppedAt < 120_000 && !(await context.platform.replicaList()).every((replica) => replica.ready)) await sleep(500);
    return { recoverySeconds: (Date.now() - stoppedAt) / 1000, details: { killed } };
  },
};

/** The share of the soak's own requests that may be shed (a stall of the machine), beyond which half capacity was not served. */
const SOAK_MAX_SHED = 0.01;

/** Half the measured capacity for a long while: memory, handles and connections must stay flat. */
export const soak: Scenario = {
  name: 'soak',
  proves: 'half the measured capacity for REHEARSE_SOAK_MINUTES (CI 3, by hand 90: a 30-minute warm-up, then an hour judged): RSS and heap of every process flat after warm-up, consumer lag 0 at the end, no growth in open handles or database connections, at most 1 % of its load shed',
  // A moment's stall of this shared machine makes the gateway shed what waited past its queue bound
  // (503 with Retry-After, the designed answer): counted (shedByGateways), not a failure, unless
  // more than SOAK_MAX_SHED of the soak's own load is shed, which would be half capacity not served.
  expects: { shed: true },
  async run(context) {
    const minutes = Number(process.env['REHEARSE_SOAK_MINUTES'] ?? (context.ci ? 3 : 90));
    const url = `${context.platform.url('gateway')}/api/v1/users/me`;
    // The traffic refreshes its customers' tokens; an hour outlives one access token.
    const customer = context.traffic.customers[1];
    const headers = () => ({ authorization: `Bearer ${customer.accessToken}` });
    const capacity = (await measureCapacity(url, headers(), 4)).perSecond;
    const saturatedUntil = Date.now();
    const rate = Math.max(1, Math.round(capacity / 2));
    context.log(`  capacity ${Math.round(capacity)} req/s; ${rate} req/s for ${minutes} min, sampling every process every 10 s`);
    const sampling = sampleProcesses(context.platform, 10_000);
    const load = await openLoop(url, headers, rate, minutes * 60);
    const samples = await sampling.stop();
    writeFileSync(join(context.workDir, 'soak-samples.json'), JSON.stringify(samples));
    const lagZeroAt = await caughtUp(context.platform.wiring.kafkaBrokers, 60_000);
    // Warm-up: a third of the run, at most 30 minutes. JIT compilers, V8's spaces, malloc's arenas,
    // pools and caches reach their working size in steps of a few MB, most of them within the
    // first 30 minutes of the hour-long soaks (docs/reliability.md); over a short judged window one
    // such step weighs as much as a leak. A leak keeps growing through the hour judged after it.
    const trend = slopes(samples, Math.min(30 * 60_000, (minutes * 60_000) / 3));
    const judged = minutes >= 30;
    const steep = Object.entries(trend.rssSlopeMbPerHour).filter(([, slope]) => slope >= 5);
    const tooSteep = judged ? steep.map(([name, slope]) => `${name}: RSS grows ${slope} MB per hour`) : [];
    const shedShare = load.shed / Math.max(1, load.sent);
    const tooMuchShed = shedShare > SOAK_MAX_SHED ? [`shed ${(100 * shedShare).toFixed(1)} % of its ${load.sent} requests at half capacity (at most ${100 * SOAK_MAX_SHED} %)`] : [];
    for (const line of [...tooSteep, ...tooMuchShed]) context.log(`  ${line}`);
    return {
      recoverySeconds: 0,
      saturatedUntil,
      ownRequests: {
        requests: load.sent,
        failed: load.failed + tooSteep.length + tooMuchShed.length,
        examples: [...inWords(load.failures), ...tooSteep, ...tooMuchShed],
      },
      details: { minutes, offeredPerSecond: rate, admitted: load.admitted, shed: load.shed, admittedP99Ms: load.admittedP99Ms, lagZeroSecondsAfter: (lagZeroAt - Date.now()) / 1000, slopesJudged: judged, ...trend },
    };
  },
};
