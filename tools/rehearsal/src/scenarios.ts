import pg from 'pg';
import { serviceDatabaseUrl, sleep, type LocalPlatform, type ServiceName } from '@platform/local-platform';
import type { Traffic } from './traffic.ts';

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
