import { gauge } from '@platform/observability';
import type { Admin, Consumer, Kafka } from 'kafkajs';

type LagGauge = { set(labels: Record<string, string>, value: number): void; reset(): void };

/**
 * `kafka_consumer_lag{consumer_group,topic,partition}`: committed offset against end offset, read at
 * scrape time through an admin client of its own, for the partitions **this member owns** only. With
 * several replicas each partition is reported once, by its owner, so `sum` over the pods is the
 * group's lag (reporting the whole group from every pod made it N times too high). Between a
 * rebalance and the next assignment a member reports nothing; queries take `max by (partition)`
 * to stay right while two members overlap for a scrape.
 */
export class ConsumerLag {
  private admin?: Admin;
  /** topic → partitions assigned to this member at its last group join. */
  private owned = new Map<string, number[]>();

  constructor(
    private readonly kafka: Kafka,
    private readonly group: string,
  ) {}

  register(): void {
    gauge('kafka_consumer_lag', 'Messages in a partition this member owns that its consumer group has not committed yet.', ['consumer_group', 'topic', 'partition'], (lag) => this.measure(lag));
  }

  /** Follows the consumer's assignment: what it holds after each join, nothing while it rebalances or is stopped. */
  follow(consumer: Pick<Consumer, 'on' | 'events'>): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.owned = new Map(Object.entries(payload.memberAssignment).filter(([, partitions]) => partitions.length > 0));
    });
    for (const event of [consumer.events.REBALANCING, consumer.events.STOP, consumer.events.CRASH, consumer.events.DISCONNECT]) {
      consumer.on(event as typeof consumer.events.STOP, () => (this.owned = new Map()));
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async measure(lag: LagGauge): Promise<void> {
    const owned = this.owned;
    const values: [labels: Record<string, string>, value: number][] = [];
    try {
      if (owned.size > 0) {
        this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
        await this.admin.connect();
        const committed = await this.admin.fetchOffsets({ groupId: this.group, topics: [...owned.keys()] });
        for (const { topic, partitions } of committed) {
          const mine = new Set(owned.get(topic));
          const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
          for (const { partition, offset } of partitions) {
            if (!mine.has(partition)) continue;
            values.push([{ consumer_group: this.group, topic, partition: String(partition) }, Math.max(0, (ends.get(partition) ?? 0) - Math.max(0, Number(offset)))]);
          }
        }
      }
    } catch {
      // Kafka is unreachable: the detailed health reports it; the last values stay.
      return;
    }
    lag.reset();
    for (const [labels, value] of values) lag.set(labels, value);
  }
}
