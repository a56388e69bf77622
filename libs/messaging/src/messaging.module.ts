import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { SERVICE, type ServiceIdentity } from '@platform/service-kit';
import { MessagingConfig } from './config/messaging.config';
import { ConsumerHealthCheck } from './consumer/consumer.check';
import { EventConsumerConnector } from './consumer/event-consumer.connector';
import { createKafka, KAFKA } from './kafka/kafka-client';
import { KafkaHealthCheck } from './kafka/kafka.check';
import { TopicProvisioner } from './kafka/topic-provisioner';
import { OutboxCleanup } from './outbox/outbox-cleanup';
import { OutboxListener } from './outbox/outbox-listener';
import { OutboxPublisher } from './outbox/outbox-publisher';
import { OutboxRelay } from './outbox/outbox-relay';
import { OutboxStats } from './outbox/outbox-stats';
import { OutboxHealthCheck } from './outbox/outbox.check';
import { Outbox } from './outbox/outbox';
import { RelayConnection } from './outbox/relay-connection';
import { EventTimelineController } from './timeline/event-timeline.controller';
import { EventTimeline } from './timeline/event-timeline';

export interface MessagingModuleOptions {
  /** The service writes events: its outbox, the relay that publishes it, outbox metrics and health. */
  publish: boolean;
  /** The service handles events: its @OnEvent handlers get a Kafka consumer with an inbox and dead letters. */
  consume: boolean;
}

/**
 * What a service does with events, said in one call. Both sides get the Kafka client, topic
 * provisioning (KAFKA_ENSURE_TOPICS) and Kafka in the detailed health (never in readiness).
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const kafka: Provider = {
      provide: KAFKA,
      useFactory: (service: ServiceIdentity, config: MessagingConfig) => createKafka({ brokers: config.KAFKA_BROKERS, clientId: service.name }),
      inject: [SERVICE, MessagingConfig],
    };
    const publishing = options.publish ? [Outbox, OutboxPublisher, OutboxListener, OutboxCleanup, RelayConnection, OutboxRelay, OutboxStats, OutboxHealthCheck] : [];
    const consuming = options.consume ? [EventConsumerConnector, ConsumerHealthCheck] : [];
    return {
      module: MessagingModule,
      global: true,
      controllers: [EventTimelineController],
      providers: [kafka, TopicProvisioner, KafkaHealthCheck, EventTimeline, ...publishing, ...consuming],
      exports: [KAFKA, ...(options.publish ? [Outbox, OutboxStats] : [])],
    };
  }
}
