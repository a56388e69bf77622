import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KAFKA, MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { catalogTopics, ensureTopics } from './topics';

/**
 * When enabled, creates the catalog's topics at start-up (a consumer adds its dead-letter topic), in the background and retrying while
 * Kafka is unreachable (the relay and the consumer retry on their own until the topics exist).
 */
@Injectable()
export class TopicProvisioner implements OnApplicationBootstrap {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.ensureTopics) void this.provision();
  }

  private async provision(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await ensureTopics(this.kafka, catalogTopics(), {
          partitions: this.options.topicPartitions,
          replicationFactor: this.options.topicReplicationFactor,
        });
        if (created.length > 0) this.logger.log({ created }, 'created Kafka topics');
        return;
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'could not create Kafka topics yet; will retry');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * attempt)));
      }
    }
  }
}
