import { applyDecorators } from '@nestjs/common';
import { ArrayNotEmpty, IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseServiceConfig, BooleanFlag, CommaSeparated } from './base-service.config';

/** `KAFKA_BROKERS=host:port,host:port`. */
export const KafkaBrokerList = () =>
  applyDecorators(
    CommaSeparated(),
    ArrayNotEmpty({ message: 'KAFKA_BROKERS must list at least one host:port' }),
    Matches(/^[^\s:]+:\d+$/, { each: true, message: 'KAFKA_BROKERS entries must be host:port' }),
  );

/** Settings of a service that owns a database schema and talks to Kafka (all but the gateway). */
export class BackendServiceConfig extends BaseServiceConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection string' })
  DATABASE_URL: string;

  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_MAX: number = 10;

  @KafkaBrokerList()
  KAFKA_BROKERS: string[];

  @BooleanFlag()
  @IsBoolean()
  KAFKA_ENSURE_TOPICS: boolean = true;

  @IsInt()
  @Min(1)
  KAFKA_TOPIC_PARTITIONS: number = 3;

  @IsInt()
  @Min(1)
  KAFKA_TOPIC_REPLICATION_FACTOR: number = 1;

  @BooleanFlag()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED: boolean = true;

  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE: number = 100;

  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 1_000;

  @IsInt()
  @Min(60_000)
  OUTBOX_RETENTION_MS: number = 24 * 3_600_000;

  /** Readiness fails when an event has waited in the outbox longer than this (the relay is stuck). */
  @IsInt()
  @Min(1_000)
  OUTBOX_STUCK_AFTER_MS: number = 5 * 60_000;

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

  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_PARTITION_CONCURRENCY: number = 3;

  /** Must outlive the topics' retention, or a replay from the earliest offset could redo old events. */
  @IsInt()
  @Min(3_600_000)
  INBOX_RETENTION_MS: number = 30 * 24 * 3_600_000;

  @IsString()
  JWT_ISSUER = 'platform-user-service';

  @IsString()
  JWT_AUDIENCE = 'platform-api';
}
