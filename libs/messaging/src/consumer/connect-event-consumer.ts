import type { INestApplication } from '@nestjs/common';
import type { NestMicroservice } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA, MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { KafkaEventServer } from './kafka-event.server';
import { RethrowRpcExceptionsFilter } from './rethrow.filter';

/** Attaches the Kafka event consumer to a service; its @OnEvent handlers start receiving events. */
export function connectEventConsumer(app: INestApplication): void {
  const options = app.get<MessagingOptions>(MESSAGING_OPTIONS);
  const server = new KafkaEventServer({
    ...options.consumer,
    kafka: app.get<Kafka>(KAFKA),
    consumerGroup: options.service,
    schema: options.schema,
    dataSource: app.get(DataSource),
    ensureTopics: options.ensureTopics ? { partitions: options.topicPartitions, replicationFactor: options.topicReplicationFactor } : undefined,
  });
  // Deferred so the filter can be registered first; then initialised the way Nest does it for a
  // hybrid app (the app's lifecycle hooks already run once, they must not run again).
  const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false, deferInitialization: true }) as NestMicroservice;
  microservice.useGlobalFilters(new RethrowRpcExceptionsFilter());
  microservice.registerListeners();
  microservice.setIsInitialized(true);
  microservice.setIsInitHookCalled(true);
}
