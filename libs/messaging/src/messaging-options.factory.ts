import type { BackendServiceConfig } from '@platform/service-kit';
import type { MessagingOptions } from './messaging.options';

/** Messaging options from a service's validated config. */
export function messagingOptionsFrom(config: BackendServiceConfig, service: string, schema: string): MessagingOptions {
  return {
    service,
    schema,
    brokers: config.KAFKA_BROKERS,
    databaseUrl: config.DATABASE_URL,
    ensureTopics: config.KAFKA_ENSURE_TOPICS,
    topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
    topicReplicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
    relay: {
      enabled: config.OUTBOX_RELAY_ENABLED,
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      retentionMs: config.OUTBOX_RETENTION_MS,
      stuckAfterMs: config.OUTBOX_STUCK_AFTER_MS,
    },
    consumer: {
      maxAttempts: config.EVENT_MAX_ATTEMPTS,
      initialBackoffMs: config.EVENT_RETRY_INITIAL_MS,
      maxBackoffMs: config.EVENT_RETRY_MAX_MS,
      partitionsConsumedConcurrently: config.EVENT_PARTITION_CONCURRENCY,
      inboxRetentionMs: config.INBOX_RETENTION_MS,
    },
  };
}
