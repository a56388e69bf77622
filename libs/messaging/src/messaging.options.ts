/** What a service tells the messaging lib about itself. */
export interface MessagingOptions {
  /** Service name: CloudEvents `source`, Kafka client id, and (for consumers) the consumer group. */
  service: string;
  brokers: string[];
  /** The service's Postgres schema, where its outbox and inbox tables live. */
  schema: string;
  /** Connection string for the relay's LISTEN connection (same database as the service). */
  databaseUrl: string;
  /** Create missing platform topics at start-up (local and compose; Strimzi owns them in Kubernetes). */
  ensureTopics: boolean;
  topicPartitions: number;
  topicReplicationFactor: number;
  relay: OutboxRelayOptions;
  consumer: EventConsumerOptions;
}

export interface OutboxRelayOptions {
  /** Publish outbox rows from this process (set false to run the API without a relay). */
  enabled: boolean;
  batchSize: number;
  /** Fallback poll when no NOTIFY arrives (e.g. the LISTEN connection is being re-established). */
  pollIntervalMs: number;
  /** Sent rows older than this are deleted. */
  retentionMs: number;
  /** Readiness fails when the oldest unsent row is older than this. */
  stuckAfterMs: number;
}

export interface EventConsumerOptions {
  /** Attempts for a failing handler before the event is dead-lettered. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  partitionsConsumedConcurrently: number;
  /** Handled-event ids older than this are forgotten; keep it longer than the topics' retention. */
  inboxRetentionMs: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const KAFKA = Symbol('KAFKA');
