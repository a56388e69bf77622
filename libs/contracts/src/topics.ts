/**
 * Kafka topics of the platform. One topic per aggregate type; events of one aggregate share a
 * key (the aggregate id), so they land on one partition and stay in order.
 */
export const Topics = {
  Users: 'platform.users',
  Orders: 'platform.orders',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Each consumer group has its own dead-letter topic, so a replay goes back to one consumer's problem. */
export function deadLetterTopic(consumerGroup: string): string {
  return `platform.dlq.${consumerGroup}`;
}
