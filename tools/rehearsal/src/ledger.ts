import pg from 'pg';
import { serviceDatabaseUrl, sleep, type DatabaseOptions, type DatabaseService, type MailCatcher } from '@platform/local-platform';
import { KafkaTestClient } from '@platform/testing';
import type { AcknowledgedOrder, Traffic } from './traffic.ts';

/** What became of one acknowledged order, counted where each effect lives. */
export interface OrderFacts {
  order: AcknowledgedOrder;
  /** Rows with its id in order-service's schema. */
  rows: number;
  /** Rows made for its Idempotency-Key (a second one would be a duplicate order). */
  ordersForKey: number;
  /** Decisions published for it on platform.orders (order.confirmed or order.rejected). */
  decisions: number;
  /** Its order-confirmed notifications in notification-service's schema. */
  notifications: number;
  /** Mails received for that notification (its stable Message-ID). */
  mails: number;
  /** Times the customer's live stream delivered that notification. */
  streamed: number;
}

export interface LedgerTotals {
  acknowledged: number;
  lost: number;
  duplicated: number;
  /** Each kind of loss or doubling, with up to five examples. */
  problems: Record<string, { count: number; examples: string[] }>;
}

export interface Sources {
  database: DatabaseOptions;
  kafkaBrokers: string;
  mail: MailCatcher;
  traffic: Traffic;
}

async function query<T extends pg.QueryResultRow>(database: DatabaseOptions, service: DatabaseService, text: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: serviceDatabaseUrl(database, service) });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Waits until the platform has done everything it owes for the traffic so far: every outbox sent,
 * every consumer group at lag 0, every mail delivered, every acknowledged order's notification on
 * its customer's stream. Resolves with the seconds it took (or throws after `timeoutMs`).
 */
export async function settle(sources: Sources, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const kafka = new KafkaTestClient(sources.kafkaBrokers);
  const { database } = sources;
  for (;;) {
    const [users] = await query<{ n: number }>(database, 'user-service', 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL', []);
    const [orders] = await query<{ n: number }>(database, 'order-service', 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL', []);
    const [mails] = await query<{ n: number }>(database, 'notification-service', "SELECT count(*)::int AS n FROM email_deliveries WHERE status = 'pending'", []);
    const lag = (await kafka.lag('order-service', ['platform.users'])) + (await kafka.lag('notification-service', ['platform.users', 'platform.orders']));
    const facts = await collectFacts(sources, new Map());
    const unstreamed = facts.filter((fact) => fact.notifications > 0 && fact.streamed === 0).length;
    if (users.n + orders.n + mails.n === 0 && lag === 0n && unstreamed === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) {
      console.log(`  not settled after ${timeoutMs / 1000} s: outbox ${users.n + orders.n}, mails pending ${mails.n}, lag ${lag}, notifications not streamed ${unstreamed}`);
      return (Date.now() - started) / 1000;
    }
    await sleep(1_000);
  }
}

/**
 * How many decisions (order.confirmed, order.rejected) platform.orders carries per order id, by
 * event id: the relay publishes at least once, so one event may be on the topic twice (consumers'
 * inboxes absorb that); two event ids are two decisions. Also how many messages were such repeats.
 */
export async function decisionsOnTopic(kafkaBrokers: string): Promise<{ decisions: Map<string, number>; repeatedMessages: number }> {
  const eventIds = new Map<string, Set<string>>();
  let messages = 0;
  for (const message of await new KafkaTestClient(kafkaBrokers).readAll('platform.orders')) {
    if (!['order.confirmed', 'order.rejected'].includes(message.headers['ce_type']) || !message.value) continue;
    messages++;
    const orderId = (JSON.parse(message.value) as { orderId: string }).orderId;
    const ids = eventIds.get(orderId) ?? new Set<string>();
    eventIds.set(orderId, ids.add(message.headers['ce_id']));
  }
  const decisions = new Map([...eventIds].map(([orderId, ids]) => [orderId, ids.size]));
  return { decisions, repeatedMessages: messages - [...decisions.values()].reduce((sum, n) => sum + n, 0) };
}

/** Every acknowledged order's effects, read from the schemas, the mailbox and the streams (decisions from the topic). */
export async function collectFacts(sources: Sources, decisions: Map<string, number>): Promise<OrderFacts[]> {
  const { database, traffic, mail } = sources;
  const orders = [...traffic.orders.values()];
  const ids = orders.map((order) => order.id);
  const keys = [...traffic.keys.keys()];
  const rows = new Map((await query<{ id: string; n: number }>(database, 'order-service', 'SELECT id::text, count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) GROUP BY id', [ids])).map((row) => [row.id, row.n]));
  const byKey = new Map((await query<{ key: string; n: number }>(database, 'order-service', 'SELECT idempotency_key AS key, count(*)::int AS n FROM orders WHERE idempotency_key = ANY($1) GROUP BY idempotency_key', [keys])).map((row) => [row.key, row.n]));
  const notifications = await query<{ id: string; order_id: string }>(database, 'notification-service', "SELECT id::text, order_id::text FROM notifications WHERE type = 'order-confirmed' AND order_id = ANY($1::uuid[])", [ids]);
  const notificationsOf = new Map<string, string[]>();
  for (const row of notifications) notificationsOf.set(row.order_id, [...(notificationsOf.get(row.order_id) ?? []), row.id]);
  const mailsByNotification = new Map<string, number>();
  for (const caught of mail.mails) {
    const id = /^<([^@>]+)@/.exec(caught.messageId)?.[1];
    if (id) mailsByNotification.set(id, (mailsByNotification.get(id) ?? 0) + 1);
  }
  const streamedTo = new Map(traffic.customers.map((customer) => [customer.id, customer.streamed]));
  return orders.map((order) => {
    const notificationIds = notificationsOf.get(order.id) ?? [];
    const sum = (count: (id: string) => number) => notificationIds.reduce((total, id) => total + count(id), 0);
    return {
      order,
      rows: rows.get(order.id) ?? 0,
      ordersForKey: byKey.get(order.idempotencyKey) ?? 0,
      decisions: decisions.get(order.id) ?? 0,
      notifications: notificationIds.length,
      mails: sum((id) => mailsByNotification.get(id) ?? 0),
      streamed: sum((id) => streamedTo.get(order.userId)?.get(id) ?? 0),
    };
  });
}

/**
 * The ledger of some acknowledged orders: each must exist once (and be the only order of its
 * Idempotency-Key), be decided once, and be notified, mailed and streamed exactly once. An order
 * missing an effect is lost; one with an effect twice is duplicated.
 */
export function tally(facts: OrderFacts[]): LedgerTotals {
  const problems: LedgerTotals['problems'] = {};
  const note = (kind: string, id: string) => {
    const entry = (problems[kind] ??= { count: 0, examples: [] });
    entry.count++;
    if (entry.examples.length < 5) entry.examples.push(id);
  };
  let lost = 0;
  let duplicated = 0;
  for (const fact of facts) {
    const effects = { stored: fact.rows, decided: fact.decisions, notified: fact.notifications, mailed: fact.mails, streamed: fact.streamed };
    const missing = Object.entries(effects).filter(([, count]) => count === 0).map(([effect]) => effect);
    const doubled = Object.entries(effects).filter(([, count]) => count > 1).map(([effect]) => effect);
    if (fact.ordersForKey > 1) doubled.push('ordered twice for one Idempotency-Key');
    for (const effect of missing) note(`not ${effect}`, fact.order.id);
    for (const effect of doubled) note(`${effect} more than once`, fact.order.id);
    if (missing.length > 0) lost++;
    if (doubled.length > 0) duplicated++;
  }
  return { acknowledged: facts.length, lost, duplicated, problems };
}
