import { Topics } from '@platform/contracts';
import type { Kafka } from 'kafkajs';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/** Every topic of the event catalog. */
export function catalogTopics(): string[] {
  return Object.values(Topics);
}

/**
 * Creates the topics that do not exist yet (the broker's auto-create is off on purpose).
 * Existing topics are left as they are. Returns the names it created.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: layout.partitions,
          replicationFactor: layout.replicationFactor,
          configEntries: [{ name: 'min.insync.replicas', value: String(Math.min(2, layout.replicationFactor)) }],
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
