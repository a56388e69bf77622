// The bare pipeline's first process: a writer (an order and its outbox row in one transaction; a
// trigger NOTIFYs) and, in the same process, a relay (wakes on the NOTIFY, claims with FOR UPDATE
// SKIP LOCKED, produces with acks=all, marks the rows sent, all in one transaction). Raw pg and
// kafkajs, nothing else: the limit the platform's event path is measured against.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { TimelineRecorder, wallClock } from '../timeline.ts';
import { measuredWindows, serve, settingsFromArgs } from './protocol.ts';

const BATCH = 100;
const settings = settingsFromArgs();
const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 8 });
const listener = new pg.Client({ connectionString: settings.databaseUrl });
const kafka = new Kafka({ clientId: 'bench-bare-writer', brokers: settings.brokers, logLevel: logLevel.ERROR });
const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
const timeline = new TimelineRecorder();
let running = true;
let notifiedAt = 0;
let wake: (() => void) | undefined;
let woken = false;

async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function writeOrder(): Promise<void> {
  const orderId = randomUUID();
  const eventId = randomUUID();
  await transaction(async (client) => {
    await client.query('INSERT INTO bare.orders (id, user_id, total, created_at) VALUES ($1, $2, $3, now())', [orderId, randomUUID(), 3998]);
    await client.query('INSERT INTO bare.outbox (event_id, message_key, payload) VALUES ($1, $2, $3)', [eventId, orderId, JSON.stringify({ orderId, total: 3998, currency: 'EUR' })]);
  });
  timeline.mark(eventId, 'committed');
}

/** One relay pass: claim a batch, produce it, mark it sent; the number of rows claimed. */
async function relayBatch(): Promise<number> {
  const notified = notifiedAt;
  let produced: string[] = [];
  const claimed = await transaction(async (client) => {
    const rows = (await client.query<{ id: string; event_id: string; message_key: string; payload: string }>(
      'SELECT id, event_id, message_key, payload FROM bare.outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
      [BATCH],
    )).rows;
    if (rows.length === 0) return 0;
    const claimedAt = wallClock();
    for (const row of rows) {
      timeline.mark(row.event_id, 'notified', notified);
      timeline.mark(row.event_id, 'claimed', claimedAt);
    }
    const sent = wallClock();
    await producer.send({ topic: settings.topic, acks: -1, messages: rows.map((row) => ({ key: row.message_key, value: row.payload, headers: { id: row.event_id } })) });
    const acked = wallClock();
    for (const row of rows) {
      timeline.mark(row.event_id, 'produceSent', sent);
      timeline.mark(row.event_id, 'acked', acked);
    }
    await client.query('UPDATE bare.outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
    produced = rows.map((row) => row.event_id);
    return rows.length;
  });
  const committedAt = wallClock();
  for (const id of produced) timeline.mark(id, 'relayCommitted', committedAt);
  return claimed;
}

async function relay(): Promise<void> {
  while (running) {
    try {
      while ((await relayBatch()) === BATCH) {
        // a full batch: there may be more
      }
    } catch (error) {
      console.error('bare relay:', error);
    }
    if (woken) {
      woken = false;
      continue;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1_000);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
    woken = false;
  }
}

/** Orders at `rate` per second for `seconds`, each on its own schedule (a slow commit does not delay the next). */
async function write(rate: number, seconds: number): Promise<number> {
  const begin = performance.now();
  const count = Math.round(rate * seconds);
  const writes: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const wait = begin + (index * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    writes.push(writeOrder());
  }
  await Promise.all(writes);
  return count;
}

async function main(): Promise<void> {
  await producer.connect();
  await listener.connect();
  listener.on('notification', () => {
    notifiedAt = wallClock();
    woken = true;
    wake?.();
  });
  await listener.query('LISTEN bare_outbox');
  const relaying = relay();
  serve({
    ...measuredWindows(timeline),
    write,
    async stop() {
      running = false;
      wake?.();
      await relaying;
      await Promise.all([producer.disconnect(), listener.end(), pool.end()]);
    },
  });
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: String((error as Error).stack ?? error) });
  process.exit(1);
});
