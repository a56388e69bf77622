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
  /** Decisions published for it on platform.orders (order.confirmed or order.rejected), by event id. */
  decisions: number;
  /** Its decision came before its order.created on the topic. */
  misordered: boolean;
  /** Its order-confirmed notifications in notification-service's schema. */
  notifications: number;
  /** Mails received for that notification, by Message-ID (derived from the notification, so 0 or 1 per notification). */
  mails: number;
  /** The same mail (same Message-ID) delivered again: at-least-once SMTP after a crash between the server's 250 and the sender's record. */
  mailRepeats: number;
  /** Times the customer's live stream delivered that notification. */
  streamed: number;
}

export interface LedgerTotals {
  acknowledged: number;
  lost: number;
  duplicated: number;
  /** Mails delivered again with the same Message-ID (counted apart, as repeated decision messages are). */
  mailRepeats: number;
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
  let last: string;
  for (;;) {
    try {
      const [users] = await query<{ n: number }>(database, 'user-service', 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL', []);
      const [orders] = await query<{ n: number }>(database, 'order-service', 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL', []);
      const [mails] = await query<{ n: number }>(database, 'notification-service', "SELECT count(*)::int AS n FROM email_deliveries WHERE status = 'pending'", []);
      const lag = (await kafka.lag('order-service', ['platform.users'])) + (await kafka.lag('notification-service', ['platform.users', 'platform.orders']));
      const facts = await collectFacts(sources, { decisions: new Map(), misordered: new Set() });
      const unstreamed = facts.filter((fact) => fact.notifications > 0 && fact.streamed === 0).length;
      if (users.n + orders.n + mails.n === 0 && lag === 0n && unstreamed === 0) return (Date.now() - started) / 1000;
      last = `outbox ${users.n + orders.n}, mails pending ${mails.n}, lag ${lag}, notifications not streamed ${unstreamed}`;
    } catch (error) {
      // Kafka or Postgres still coming back from the last scenario: look again.
      last = `could not look: ${(error as Error).message}`;
    }
    if (Date.now() - started > timeoutMs) {
      console.log(`  not settled after ${timeoutMs / 1000} s: ${last}`);
      return (Date.now() - started) / 1000;
    }
    await sleep(1_000);
  }
}

/** What platform.orders says about each order. */
export interface OrderTopic {
  /** Decisions (order.confirmed, order.rejected) per order id, by event id. */
  decisions: Map<string, number>;
  /** Messages that repeated an event already on the topic (the relay publishes at least once; inboxes absorb them). */
  repeatedMessages: number;
  /** Orders whose decision came before their order.created in the partition: per-aggregate order broken. */
  misordered: Set<string>;
}

/**
 * Reads platform.orders from the beginning. Decisions are counted by event id, so one event
 * published twice is one decision (a repeat the consumers' inboxes absorb) and two event ids are
 * two decisions. Within an order's partition its order.created must come before its decision.
 */
export async function readOrderTopic(kafkaBrokers: string, attempts = 5): Promise<OrderTopic> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOrderTopicOnce(kafkaBrokers);
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(2_000);
    }
  }
}

async function readOrderTopicOnce(kafkaBrokers: string): Promise<OrderTopic> {
  const eventIds = new Map<string, Set<string>>();
  const created = new Set<string>();
  const misordered = new Set<string>();
  let messages = 0;
  for (const message of await new KafkaTestClient(kafkaBrokers).readAll('platform.orders')) {
    if (!message.value) continue;
    const type = message.headers['ce_type'];
    const orderId = (JSON.parse(message.value) as { orderId: string }).orderId;
    if (type === 'order.created') created.add(orderId);
    if (type !== 'order.confirmed' && type !== 'order.rejected') continue;
    messages++;
    if (!created.has(orderId)) misordered.add(orderId);
    const ids = eventIds.get(orderId) ?? new Set<string>();
    eventIds.set(orderId, ids.add(message.headers['ce_id']));
  }
  const decisions = new Map([...eventIds].map(([orderId, ids]) => [orderId, ids.size]));
  return { decisions, misordered, repeatedMessages: messages - [...decisions.values()].reduce((sum, n) => sum + n, 0) };
}

/** Every acknowledged order's effects, read from the schemas, the mailbox and the streams (decisions from the topic). */
export async function collectFacts(sources: Sources, topic: Pick<OrderTopic, 'decisions' | 'misordered'>): Promise<OrderFacts[]> {
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
      decisions: topic.decisions.get(order.id) ?? 0,
      misordered: topic.misordered.has(order.id),
      notifications: notificationIds.length,
      mails: sum((id) => Math.min(1, mailsByNotification.get(id) ?? 0)),
      mailRepeats: sum((id) => Math.max(0, (mailsByNotification.get(id) ?? 0) - 1)),
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
    // Order per aggregate broken: a consumer could have applied the decision before the order existed.
    if (fact.misordered) missing.push('decided after its creation on the topic');
    for (const effect of missing) note(`not ${effect}`, fact.order.id);
    for (const effect of doubled) note(`${effect} more than once`, fact.order.id);
    if (missing.length > 0) lost++;
    if (doubled.length > 0) duplicated++;
  }
  return { acknowledged: facts.length, lost, duplicated, mailRepeats: facts.reduce((sum, fact) => sum + fact.mailRepeats, 0), problems };
}
