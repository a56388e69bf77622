import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { HealthDetail, type ReadinessCheck } from '@platform/service-kit';
import { KAFKA } from './kafka-client';

/** Detailed health (never readiness: the outbox keeps writes going while Kafka is away): the broker answers a metadata request. */
@Injectable()
@HealthDetail()
export class KafkaHealthCheck implements ReadinessCheck, OnModuleDestroy {
  readonly name = 'kafka';
  private admin?: Admin;

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  async check() {
    this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
    try {
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      return { brokers: cluster.brokers.length };
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
