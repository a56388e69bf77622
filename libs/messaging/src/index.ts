export * from './config/messaging.config';
export * from './consumer/event-context';
export * from './consumer/handled-events';
export * from './consumer/on-event.decorator';
export * from './dead-letter/dead-letter';
export * from './kafka/kafka-client';
export * from './messaging.module';
export * from './outbox/outbox';
export * from './outbox/outbox-stats';
export * from './replay/dead-letter-replay';
export * from './replay/dead-letter-replay.cli';
export * from './schema/messaging-tables';
export * from './kafka/event-origin';
// The platform's one retry formula and wakeable sleep, for other background workers (notification-service's mail sender).
export * from './retry/backoff';
export * from './retry/wakeable-sleep';
export * from './listen/postgres-listener';
