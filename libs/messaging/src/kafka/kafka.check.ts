import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { HealthDetail, type ReadinessCheck } from '@platform/service-kit';
import { KafkaAdminCheck } from './admin-check';
import { KAFKA } from './kafka-client';

/** Detailed health (never readiness: the outbox keeps writes going while Kafka is away): the brokers answer a metadata request. */
@Injectable()
@HealthDetail()
export class KafkaHealthCheck extends KafkaAdminCheck implements ReadinessCheck {
  readonly name = 'kafka';

  constructor(@Inject(KAFKA) kafka: Kafka) {
    super(kafka);
  }

  check() {
    return this.withAdmin(async (admin) => ({ brokers: (await admin.describeCluster()).brokers.length }));
  }
}
