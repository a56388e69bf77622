import { Inject, Injectable } from '@nestjs/common';
import { HealthDetail, SERVICE, type ReadinessCheck, type ServiceIdentity } from '@platform/service-kit';
import type { Kafka } from 'kafkajs';
import { KafkaAdminCheck } from '../kafka/admin-check';
import { KAFKA } from '../kafka/kafka-client';

/**
 * Detailed health of a consumer (never readiness): how far its group is behind on each topic it
 * has committed to, summed over partitions. Lag is a reason to scale or to look, not to stop
 * answering HTTP (alert PlatformConsumerLag).
 */
@Injectable()
@HealthDetail()
export class ConsumerHealthCheck extends KafkaAdminCheck implements ReadinessCheck {
  readonly name = 'consumer';

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(SERVICE) private readonly service: ServiceIdentity,
  ) {
    super(kafka);
  }

  check() {
    const group = this.service.name;
    return this.withAdmin(async (admin) => {
      const lagByTopic: Record<string, number> = {};
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
        lagByTopic[topic] = partitions.reduce((sum, { partition, offset }) => sum + Math.max(0, (ends.get(partition) ?? 0) - Math.max(0, Number(offset))), 0);
      }
      return { group, lag: lagByTopic };
    });
  }
}
