import { AssignerProtocol, Kafka, logLevel, Partitioners, type IHeaders, type KafkaMessage } from 'kafkajs';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(Array.isArray(value) ? value[value.length - 1] : value)]));
}

/** What a test needs from Kafka: produce raw messages, read a topic, look at consumer groups. */
export class KafkaTestClient {
  private readonly kafka: Kafka;

  constructor(brokers: string) {
    this.kafka = new Kafka({ clientId: 'e2e-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
  }

  /**
   * Sends messages as they are, each exactly once: for poison messages and hand-made events. The
   * idempotent producer, because kafkajs resends a whole request when one of its partitions fails
   * (a leader not elected yet, on a topic created moments ago), duplicating the ones that did not.
   */
  async produce(topic: string, messages: { key?: string; value: string; headers?: Record<string, string> }[]): Promise<void> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  }

  async createTopic(topic: string, partitions = 3): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
    } finally {
      await admin.disconnect();
    }
  }

  /** Every message of a topic from the beginning to its end as of now, in partition order. */
  async readAll(topic: string): Promise<ReadMessage[]> {
    const ends = await this.endOffsets(topic);
    const remaining = new Map([...ends].filter(([, end]) => end > 0n));
    const messages: ReadMessage[] = [];
    if (remaining.size === 0) return messages;
    const consumer = this.kafka.consumer({ groupId: `e2e-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
              const end = remaining.get(partition);
              if (end === undefined || BigInt(message.offset) >= end) return;
              messages.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers: stringHeaders(message.headers) });
              if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  /** Every partition of the topics, as `topic:partition`, sorted. */
  async partitionsOf(...topics: string[]): Promise<string[]> {
    const ofTopics = await Promise.all(topics.map(async (topic) => [...(await this.endOffsets(topic)).keys()].map((partition) => `${topic}:${partition}`)));
    return ofTopics.flat().sort();
  }

  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Messages a group has not committed yet, summed over the topics' partitions. */
  async lag(groupId: string, topics: string[]): Promise<bigint> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      let lag = 0n;
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
        for (const { partition, offset } of partitions) {
          const committed = BigInt(offset) < 0n ? 0n : BigInt(offset);
          lag += (ends.get(partition) ?? 0n) - committed;
        }
      }
      return lag;
    } finally {
      await admin.disconnect();
    }
  }

  /** Rewinds a group (with no running members) to the start of the topics: a full replay. */
  async resetToEarliest(groupId: string, topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
    } finally {
      await admin.disconnect();
    }
  }

  /** Members of a group and the partitions each one holds, as `topic:partition`. */
  async groupAssignments(groupId: string): Promise<string[][]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      return (groups[0]?.members ?? []).map((member) => {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        return Object.entries(assignment?.assignment ?? {}).flatMap(([topic, partitions]) => partitions.map((partition) => `${topic}:${partition}`));
      });
    } finally {
      await admin.disconnect();
    }
  }
}
