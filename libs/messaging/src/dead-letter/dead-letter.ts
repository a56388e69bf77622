import { deadLetterTopic } from '@platform/contracts';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';

/** Headers a dead letter carries besides the original ones. */
export const DeadLetterHeaders = {
  reason: 'dlq_reason',
  error: 'dlq_error',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  consumerGroup: 'dlq_consumer_group',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
} as const;

export interface DeadLetter {
  message: KafkaMessage;
  topic: string;
  partition: number;
  consumerGroup: string;
  reason: string;
  error: string;
  attempts: number;
}

/** Copies the original message (key, value, headers) to the group's dead-letter topic, with why. */
export async function publishDeadLetter(producer: Producer, letter: DeadLetter): Promise<void> {
  const headers: IHeaders = {
    ...(letter.message.headers ?? {}),
    [DeadLetterHeaders.reason]: letter.reason,
    [DeadLetterHeaders.error]: letter.error.slice(0, 2_000),
    [DeadLetterHeaders.topic]: letter.topic,
    [DeadLetterHeaders.partition]: String(letter.partition),
    [DeadLetterHeaders.offset]: letter.message.offset,
    [DeadLetterHeaders.consumerGroup]: letter.consumerGroup,
    [DeadLetterHeaders.attempts]: String(letter.attempts),
    [DeadLetterHeaders.failedAt]: new Date().toISOString(),
  };
  await producer.send({
    topic: deadLetterTopic(letter.consumerGroup),
    acks: -1,
    messages: [{ key: letter.message.key, value: letter.message.value, headers }],
  });
}
