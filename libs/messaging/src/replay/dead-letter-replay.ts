import { deadLetterTopic, headerString } from '@platform/contracts';
import { Partitioners, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { DeadLetterHeaders } from '../dead-letter/dead-letter';

export interface ReplayFilter {
  /** Only the dead letter of this CloudEvents id. */
  eventId?: string;
  /** Only dead letters with this reason (e.g. handler-failed). */
  reason?: string;
  /** Everything in the topic (needed when no other filter is given). */
  all?: boolean;
}

export interface ReplayedLetter {
  eventId?: string;
  type?: string;
  reason?: string;
  topic: string;
  offset: string;
}

const REPLAY_HEADERS = { replayedAt: 'dlq_replayed_at', replayedFrom: 'dlq_replayed_from' } as const;

function matches(message: KafkaMessage, filter: ReplayFilter): boolean {
  if (filter.eventId && headerString(message.headers, 'ce_id') !== filter.eventId) return false;
  if (filter.reason && headerString(message.headers, DeadLetterHeaders.reason) !== filter.reason) return false;
  return Boolean(filter.all || filter.eventId || filter.reason);
}

/** The original headers, without what the dead-lettering added, plus where the replay came from. */
function replayHeaders(message: KafkaMessage, dlqTopic: string): IHeaders {
  const dlqHeaderNames = new Set<string>(Object.values(DeadLetterHeaders));
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!dlqHeaderNames.has(name) && value !== undefined) headers[name] = value;
  }
  headers[REPLAY_HEADERS.replayedAt] = new Date().toISOString();
  headers[REPLAY_HEADERS.replayedFrom] = `${dlqTopic}@${message.offset}`;
  return headers;
}

/**
 * Sends dead letters of a consumer group back to the topics they came from, once the cause is
 * fixed. Reads the dead-letter topic from its start to its current end (no consumer group, nothing
 * committed), so it can be run again; a replayed event that was handled already is skipped by every
 * consumer's inbox.
 */
export async function replayDeadLetters(kafka: Kafka, consumerGroup: string, filter: ReplayFilter, options: { dryRun?: boolean } = {}): Promise<ReplayedLetter[]> {
  const topic = deadLetterTopic(consumerGroup);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high));
    }
  } finally {
    await admin.disconnect();
  }
  const replayed: ReplayedLetter[] = [];
  if (ends.size === 0) return replayed;

  const selected: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `${consumerGroup}.dlq-replay.${Date.now()}`, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const remaining = new Map(ends);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = remaining.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            if (matches(message, filter)) selected.push(message);
            if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }

  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (const message of selected) {
      const original = headerString(message.headers, DeadLetterHeaders.topic);
      if (!original) continue;
      if (!options.dryRun) {
        await producer.send({ topic: original, acks: -1, messages: [{ key: message.key, value: message.value, headers: replayHeaders(message, topic) }] });
      }
      replayed.push({
        eventId: headerString(message.headers, 'ce_id'),
        type: headerString(message.headers, 'ce_type'),
        reason: headerString(message.headers, DeadLetterHeaders.reason),
        topic: original,
        offset: message.offset,
      });
    }
  } finally {
    await producer.disconnect();
  }
  return replayed;
}
