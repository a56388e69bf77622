import type { ServiceIdentity } from '@platform/service-kit';

/** user-service, said once: main.ts, tracing and the database read it. */
export const USER_SERVICE = { name: 'user-service', schema: 'users' } as const satisfies ServiceIdentity;
