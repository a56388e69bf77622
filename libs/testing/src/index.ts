export * from './api-client.ts';
export * from './eventually.ts';
export * from './kafka-test-client.ts';
export * from './otlp-receiver.ts';
export * from './problem.ts';
export * from './raw-http.ts';
export * from './test-platform.ts';
export * from './users.ts';
