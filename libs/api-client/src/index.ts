export * from './client.ts';
export * from './event-stream.ts';
export * from './notification-stream.ts';
export type { components, operations, paths } from './generated/openapi.ts';
