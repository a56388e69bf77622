import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { createKafka } from './kafka/kafka-client';
import { TopicProvisioner } from './kafka/topic-provisioner';
import { KAFKA, MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';
import { OutboxStats } from './outbox/outbox-stats';

export interface MessagingModuleOptions {
  useFactory: (...args: never[]) => MessagingOptions;
  inject?: FactoryProvider['inject'];
}

/**
 * Kafka for a service: the outbox it writes events to, the relay that publishes them, topic
 * provisioning. Consumers attach with connectEventConsumer().
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: KAFKA,
          useFactory: (messaging: MessagingOptions) => createKafka({ brokers: messaging.brokers, clientId: messaging.service }),
          inject: [MESSAGING_OPTIONS],
        },
        Outbox,
        OutboxRelay,
        OutboxStats,
        TopicProvisioner,
      ],
      exports: [MESSAGING_OPTIONS, KAFKA, Outbox, OutboxRelay, OutboxStats],
    };
  }
}
