import { applyDecorators } from '@nestjs/common';
import { BooleanFlag, CommaSeparated } from '@platform/config';
import { ArrayNotEmpty, IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';

/** `KAFKA_BROKERS=host:port,host:port`. */
const KafkaBrokerList = () =>
  applyDecorators(
    CommaSeparated(),
    ArrayNotEmpty({ message: 'KAFKA_BROKERS must list at least one host:port' }),
    Matches(/^[^\s:]+:\d+$/, { each: true, message: 'KAFKA_BROKERS entries must be host:port' }),
  );

/** Kafka, the outbox relay, the consumer, its retries and its inbox: every setting of a service's events. */
export class MessagingConfig {
  @KafkaBrokerList()
  KAFKA_BROKERS: string[];

  /** Create missing platform topics at start-up (local and compose; Strimzi owns them in Kubernetes). */
  @BooleanFlag()
  @IsBoolean()
  KAFKA_ENSURE_TOPICS: boolean = true;

  /**
   * Partitions of the topics it creates: the parallelism of a consumer group (each partition is
   * handled one transaction at a time). 12 spread evenly over 1, 2, 3, 4 or 6 replicas (the HPA's
   * maximum) and let one replica's consumers keep pace with a write burst (see the README).
   */
  @IsInt()
  @Min(1)
  KAFKA_TOPIC_PARTITIONS: number = 12;

  @IsInt()
  @Min(1)
  KAFKA_TOPIC_REPLICATION_FACTOR: number = 1;

  /** Publish outbox rows from this process (false runs the API without a relay). */
  @BooleanFlag()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED: boolean = true;

  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE: number = 100;

  /** Fallback poll when no NOTIFY arrives (e.g. while the LISTEN connection is re-established). */
  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 1_000;

  /** Sent rows older than this are deleted. */
  @IsInt()
  @Min(60_000)
  OUTBOX_RETENTION_MS: number = 24 * 3_600_000;

  /** The detailed health reports the outbox down when an event has waited longer than this (the relay is stuck); readiness never does. */
  @IsInt()
  @Min(1_000)
  OUTBOX_STUCK_AFTER_MS: number = 5 * 60_000;

  /** Attempts of a failing handler before its event is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(50)
  EVENT_MAX_ATTEMPTS: number = 5;

  @IsInt()
  @Min(10)
  EVENT_RETRY_INITIAL_MS: number = 200;

  @IsInt()
  @Min(10)
  EVENT_RETRY_MAX_MS: number = 5_000;

  /**
   * Partitions a consumer works on at once (one transaction at a time per partition): as many as a
   * lone replica holds, so none waits for another. Their transactions share half the pool
   * (DATABASE_POOL_MAX, TransactionSlots); the other half is left to the API and other work.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_PARTITION_CONCURRENCY: number = 12;

  /**
   * Keep when each of the last 20 000 events passed each step in this process (commit, NOTIFY,
   * claim, produce, ack, fetch, handler, commit), served at GET /debug/event-timeline on the
   * management port: `./platform bench` reads it to see where an event waits.
   */
  @BooleanFlag()
  @IsBoolean()
  EVENT_TIMELINE: boolean = false;

  /** Must outlive the topics' retention, or a replay from the earliest offset could redo old events. */
  @IsInt()
  @Min(3_600_000)
  INBOX_RETENTION_MS: number = 30 * 24 * 3_600_000;
}
