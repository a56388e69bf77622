export default {
  displayName: 'platform-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  // Each suite starts Postgres schemas, a Kafka broker and four services: minutes, not seconds.
  testTimeout: 180_000,
  maxWorkers: 1,
};
