// The bare pipeline's second process: a kafkajs consumer that writes an inbox row and a
// notification in one transaction per event. Raw pg and kafkajs, nothing else.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { TimelineRecorder, wallClock } from '../timeline.ts';
import { measuredWindows, serve, settingsFromArgs } from './protocol.ts';

const settings = settingsFromArgs();
const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.partitions });
const kafka = new Kafka({ clientId: 'bench-bare-consumer', brokers: settings.brokers, logLevel: logLevel.ERROR });
// The platform's consumer settings where they matter for latency (maxWaitTimeInMs, one partition per worker).
const consumer = kafka.consumer({ groupId: 'bench-bare-pipeline', maxWaitTimeInMs: 1_000, sessionTimeout: 10_000, heartbeatInterval: 3_000 });
const timeline = new TimelineRecorder();

async function handle(eventId: string, value: Buffer | null): Promise<void> {
  const { orderId, total, currency } = JSON.parse(value?.toString() ?? '{}') as { orderId: string; total: number; currency: string };
  timeline.mark(eventId, 'handlerStart');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    timeline.mark(eventId, 'begun');
    const inserted = await client.query('INSERT INTO bare.inbox (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id', [eventId]);
    if (inserted.rowCount) {
      await client.query('INSERT INTO bare.notifications (id, order_id, body, created_at) VALUES ($1, $2, $3, now())', [randomUUID(), orderId, `Order ${orderId.slice(0, 8)} for ${total / 100} ${currency} is confirmed.`]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  timeline.mark(eventId, 'stored');
}

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic: settings.topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    partitionsConsumedConcurrently: settings.partitions,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const fetchedAt = wallClock();
      for (const message of batch.messages) {
        const eventId = message.headers?.['id']?.toString() ?? '';
        timeline.mark(eventId, 'fetched', fetchedAt);
        await handle(eventId, message.value);
        resolveOffset(message.offset);
      }
      await heartbeat();
    },
  });
  await joined;
  serve({
    ...measuredWindows(timeline),
    async stop() {
      await consumer.disconnect();
      await pool.end();
    },
  });
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: String((error as Error).stack ?? error) });
  process.exit(1);
});
