import { gauge } from '@platform/observability';
import type { Admin, Kafka } from 'kafkajs';

/**
 * `kafka_consumer_lag{consumer_group,topic,partition}`: committed offset against end offset per
 * partition, read at scrape time through an admin client of its own.
 */
export class ConsumerLag {
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly group: string,
    private readonly topics: () => string[],
  ) {}

  register(): void {
    gauge('kafka_consumer_lag', 'Messages in a partition the consumer group has not committed yet.', ['consumer_group', 'topic', 'partition'], (lag) => this.measure(lag));
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async measure(lag: { set(labels: Record<string, string>, value: number): void }): Promise<void> {
    try {
      this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
      await this.admin.connect();
      const committed = await this.admin.fetchOffsets({ groupId: this.group, topics: this.topics() });
      for (const { topic, partitions } of committed) {
        const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
        for (const { partition, offset } of partitions) {
          const end = ends.get(partition) ?? 0;
          lag.set({ consumer_group: this.group, topic, partition: String(partition) }, Math.max(0, end - Math.max(0, Number(offset))));
        }
      }
    } catch {
      // Kafka is unreachable: the detailed health reports it; the last values stay.
    }
  }
}
