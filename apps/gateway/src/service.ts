import type { ServiceIdentity } from '@platform/service-kit';

/** The gateway, said once: main.ts and tracing read it. It owns no schema. */
export const GATEWAY = { name: 'gateway' } as const satisfies ServiceIdentity;
