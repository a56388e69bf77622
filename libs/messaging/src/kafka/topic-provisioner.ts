import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { MessagingConfig } from '../config/messaging.config';
import { backoffDelay, sleep } from '../retry/backoff';
import { KAFKA } from './kafka-client';
import { catalogTopics, ensureTopics } from './topics';

/**
 * With KAFKA_ENSURE_TOPICS, creates the catalog's topics at start-up, in the background, retrying
 * while Kafka is unreachable (the relay and the consumer retry on their own until the topics exist).
 */
@Injectable()
export class TopicProvisioner implements OnApplicationBootstrap {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: MessagingConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.KAFKA_ENSURE_TOPICS) void this.provision();
  }

  private async provision(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await ensureTopics(this.kafka, catalogTopics(), topicLayout(this.config));
        if (created.length > 0) this.logger.log({ created }, 'created Kafka topics');
        return;
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'could not create Kafka topics yet; will retry');
        await sleep(backoffDelay(attempt, 500, 5_000));
      }
    }
  }
}

export function topicLayout(config: MessagingConfig) {
  return { partitions: config.KAFKA_TOPIC_PARTITIONS, replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR };
}
