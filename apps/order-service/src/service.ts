import type { ServiceIdentity } from '@platform/service-kit';

/** order-service, said once: main.ts, tracing, the database, the consumer group and dlq-replay read it. */
export const ORDER_SERVICE = { name: 'order-service', schema: 'orders' } as const satisfies ServiceIdentity;
