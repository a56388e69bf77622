import type { ServiceIdentity } from '@platform/service-kit';

/** notification-service, said once: main.ts, tracing, the database, the consumer group and dlq-replay read it. */
export const NOTIFICATION_SERVICE = { name: 'notification-service', schema: 'notifications' } as const satisfies ServiceIdentity;
