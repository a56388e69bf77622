import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type { NestMicroservice } from '@nestjs/microservices';
import { AppTransport, DatabaseConfig, SERVICE, type ServiceIdentity, type TransportConnector } from '@platform/service-kit';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { MessagingConfig } from '../config/messaging.config';
import { KAFKA } from '../kafka/kafka-client';
import { EventTimeline } from '../timeline/event-timeline';
import { KafkaEventServer } from './kafka-event.server';
import { RethrowRpcExceptionsFilter } from './rethrow.filter';

/** Attaches the Kafka event consumer to the app at start-up; its @OnEvent handlers start receiving events. */
@Injectable()
@AppTransport()
export class EventConsumerConnector implements TransportConnector {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SERVICE) private readonly service: ServiceIdentity,
    private readonly config: MessagingConfig,
    private readonly dataSource: DataSource,
    private readonly database: DatabaseConfig,
    private readonly timeline: EventTimeline,
  ) {}

  connect(app: INestApplication): void {
    const server = new KafkaEventServer({ kafka: this.kafka, consumerGroup: this.service.name, schema: this.service.schema as string, dataSource: this.dataSource, poolMax: this.database.DATABASE_POOL_MAX, config: this.config, timeline: this.timeline });
    // Deferred so the filter can be registered first; then initialised the way Nest does it for a
    // hybrid app (the app's lifecycle hooks already run once, they must not run again).
    const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false, deferInitialization: true }) as NestMicroservice;
    microservice.useGlobalFilters(new RethrowRpcExceptionsFilter());
    microservice.registerListeners();
    microservice.setIsInitialized(true);
    microservice.setIsInitHookCalled(true);
  }
}
