import { EventEmitter } from 'node:events';
import { metricsRegistry } from '@platform/observability';
import type { Consumer, Kafka } from 'kafkajs';
import { ConsumerLag } from './consumer-lag';

const events = { GROUP_JOIN: 'group_join', REBALANCING: 'rebalancing', STOP: 'stop', CRASH: 'crash', DISCONNECT: 'disconnect' };

/** A consumer that only emits its events, and an admin answering committed and end offsets of 12 partitions. */
function member() {
  const emitter = new EventEmitter();
  const consumer = { events, on: (event: string, listener: (arg: unknown) => void) => emitter.on(event, listener) } as unknown as Consumer;
  const partitions = Array.from({ length: 12 }, (_, partition) => partition);
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    // Committed at 100 everywhere; the end is 100 + 10 × partition, so partition p lags 10 × p.
    fetchOffsets: async ({ topics }: { topics: string[] }) => topics.map((topic) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: '100' })) })),
    fetchTopicOffsets: async () => partitions.map((partition) => ({ partition, high: String(100 + 10 * partition) })),
  };
  const kafka = { admin: () => admin } as unknown as Kafka;
  return { kafka, consumer, join: (assignment: Record<string, number[]>) => emitter.emit(events.GROUP_JOIN, { payload: { memberAssignment: assignment } }), emit: (event: string) => emitter.emit(event, {}) };
}

async function scrape(): Promise<Record<string, number>> {
  const metric = await metricsRegistry.getSingleMetric('kafka_consumer_lag')!.get();
  return Object.fromEntries(metric.values.map(({ labels, value }) => [`${labels['topic']}/${labels['partition']}`, value]));
}

describe('ConsumerLag', () => {
  const { kafka, consumer, join, emit } = member();
  const lag = new ConsumerLag(kafka, 'order-service');
  lag.register();
  lag.follow(consumer);

  it('reports only the partitions this member owns, so the replicas of a group add up to its lag', async () => {
    join({ 'platform.users': [0, 1], 'platform.orders': [] });
    expect(await scrape()).toEqual({ 'platform.users/0': 0, 'platform.users/1': 10 });
    join({ 'platform.users': [2, 3, 4] });
    expect(await scrape()).toEqual({ 'platform.users/2': 20, 'platform.users/3': 30, 'platform.users/4': 40 });
  });

  it.each(['REBALANCING', 'STOP', 'CRASH', 'DISCONNECT'] as const)('reports nothing after %s until the next assignment', async (event) => {
    join({ 'platform.users': [5] });
    expect(await scrape()).toEqual({ 'platform.users/5': 50 });
    emit(events[event]);
    expect(await scrape()).toEqual({});
  });
});
