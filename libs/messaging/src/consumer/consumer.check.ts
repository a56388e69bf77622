import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthDetail, SERVICE, type ReadinessCheck, type ServiceIdentity } from '@platform/service-kit';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA } from '../kafka/kafka-client';

/**
 * Detailed health of a consumer (never readiness): how far its group is behind on each topic it
 * has committed to, summed over partitions. Lag is a reason to scale or to look, not to stop
 * answering HTTP (alert PlatformConsumerLag).
 */
@Injectable()
@HealthDetail()
export class ConsumerHealthCheck implements ReadinessCheck, OnModuleDestroy {
  readonly name = 'consumer';
  private admin?: Admin;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SERVICE) private readonly service: ServiceIdentity,
  ) {}

  async check() {
    this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
    try {
      await this.admin.connect();
      const group = this.service.name;
      const lagByTopic: Record<string, number> = {};
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId: group })) {
        const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
        lagByTopic[topic] = partitions.reduce((sum, { partition, offset }) => sum + Math.max(0, (ends.get(partition) ?? 0) - Math.max(0, Number(offset))), 0);
      }
      return { group, lag: lagByTopic };
    } catch (error) {
      const admin = this.admin;
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onModuleDestroy() {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
