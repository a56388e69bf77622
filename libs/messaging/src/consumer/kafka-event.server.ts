import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { deadLetterTopic, findEventDefinition } from '@platform/contracts';
import type { Consumer, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { MessagingConfig } from '../config/messaging.config';
import { DeadLetterPublisher } from '../dead-letter/dead-letter-publisher';
import { InboxCleanup } from '../inbox/inbox-cleanup';
import { Inbox } from '../inbox/inbox';
import { KAFKA_RETRY } from '../kafka/kafka-client';
import { topicLayout } from '../kafka/topic-provisioner';
import { ensureTopics } from '../kafka/topics';
import { backoffDelay, sleep } from '../retry/backoff';
import type { EventTimeline } from '../timeline/event-timeline';
import { ConsumerLag } from './consumer-lag';
import { observeFreshness } from './event-freshness';
import { EventProcessor, type EventHandler } from './event-processor';
import { TransactionSlots } from './transaction-slots';

export interface KafkaEventServerOptions {
  kafka: Kafka;
  /** The service name: its consumer group. */
  consumerGroup: string;
  schema: string;
  dataSource: DataSource;
  /** Connections in the data source's pool (DATABASE_POOL_MAX): the consumer's transactions take at most half. */
  poolMax: number;
  config: MessagingConfig;
  timeline: EventTimeline;
}

/**
 * A Nest microservice transport for the platform's events: subscribes to the topics its @OnEvent
 * handlers need, hands each message to the EventProcessor, and keeps the consumer running (it
 * starts in the background and is recreated if kafkajs gives up). Offsets are committed only for
 * messages the processor finished with.
 */
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaEventServer.name);
  private consumer?: Consumer;
  private running = false;
  private starting?: Promise<void>;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly inboxCleanup: InboxCleanup;
  private readonly lag: ConsumerLag;
  private readonly processor: EventProcessor;
  /** Handlers by event key, looked up once: Nest's lookup tries JSON.parse on the key and catches the throw (~1 % of a consumer's CPU). */
  private readonly handlers = new Map<string, EventHandler | undefined>();

  constructor(private readonly options: KafkaEventServerOptions) {
    super();
    const inbox = new Inbox(options.schema);
    const slots = TransactionSlots.shareOf(options.poolMax);
    this.deadLetters = new DeadLetterPublisher(options.kafka);
    this.inboxCleanup = new InboxCleanup(inbox, options.dataSource, slots, options.config.INBOX_RETENTION_MS);
    this.lag = new ConsumerLag(options.kafka, options.consumerGroup);
    this.processor = new EventProcessor(options.consumerGroup, (key) => this.handlerFor(key), {
      dataSource: options.dataSource,
      slots,
      inbox,
      deadLetters: this.deadLetters,
      config: options.config,
      isRunning: () => this.running,
      timeline: options.timeline,
    });
  }

  listen(callback: () => void): void {
    this.running = true;
    this.lag.register();
    // Start in the background: a service must come up (and report not-ready) while Kafka is down.
    this.starting = this.start();
    this.inboxCleanup.start();
    callback();
  }

  async close(): Promise<void> {
    this.running = false;
    this.inboxCleanup.stop();
    await this.starting;
    // disconnect() waits for the message in hand, commits offsets and leaves the group.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.deadLetters.close();
    await this.lag.close();
  }

  on(): never {
    throw new Error('KafkaEventServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /** The topics the registered handlers need. */
  subscribedTopics(): string[] {
    const topics = [...this.messageHandlers.keys()].map((key) => {
      const [type, version] = key.split('@v');
      return findEventDefinition(type, Number(version)).topic;
    });
    return [...new Set(topics)];
  }

  /** The Nest handler of an event key, run to completion (Nest handlers may return observables). */
  private handlerFor(key: string): EventHandler | undefined {
    if (!this.handlers.has(key)) this.handlers.set(key, this.nestHandlerFor(key));
    return this.handlers.get(key);
  }

  private nestHandlerFor(key: string): EventHandler | undefined {
    const handler = this.getHandlerByPattern(key);
    if (!handler) return undefined;
    return async (event, context) => {
      await lastValueFrom(this.transformToObservable(await handler(event, context)), { defaultValue: undefined });
    };
  }

  private async start(): Promise<void> {
    const { kafka, consumerGroup, config } = this.options;
    let attempt = 0;
    while (this.running) {
      const consumer = kafka.consumer({
        groupId: consumerGroup,
        allowAutoTopicCreation: false,
        // A member that dies without leaving (SIGKILL, lost node) holds its partitions this long.
        sessionTimeout: 10_000,
        heartbeatInterval: 3_000,
        maxWaitTimeInMs: 1_000,
        retry: { ...KAFKA_RETRY, restartOnFailure: async () => true },
      });
      this.lag.follow(consumer);
      try {
        if (config.KAFKA_ENSURE_TOPICS) await ensureTopics(kafka, [deadLetterTopic(consumerGroup)], topicLayout(config));
        await consumer.connect();
        await consumer.subscribe({ topics: this.subscribedTopics(), fromBeginning: true });
        await consumer.run({
          autoCommit: true,
          autoCommitInterval: 1_000,
          partitionsConsumedConcurrently: config.EVENT_PARTITION_CONCURRENCY,
          eachBatchAutoResolve: false,
          eachBatch: async (payload) => {
            await this.processor.processBatch(payload);
            if (payload.isRunning() && !payload.isStale()) observeFreshness(consumerGroup, payload.batch.messages);
          },
        });
        this.consumer = consumer;
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart && this.running) {
            this.logger.error({ err: payload.error }, 'consumer crashed and will not restart by itself; recreating it');
            this.starting = consumer.disconnect().then(() => this.start());
          }
        });
        this.logger.log({ group: consumerGroup, topics: this.subscribedTopics() }, 'consuming events');
        return;
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        const delay = backoffDelay(++attempt, 500, 5_000);
        this.logger.warn({ err: error, retryInMs: delay }, 'could not start the Kafka consumer; will retry');
        await sleep(delay);
      }
    }
  }
}
