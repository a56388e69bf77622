import { BackendServiceConfig } from './backend-service.config';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  const valid = { PORT: '3002', DATABASE_URL: 'postgres://u:p@db:5432/platform', KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092' };

  it('converts and defaults settings', () => {
    const config = loadConfig(BackendServiceConfig, { ...valid, KAFKA_ENSURE_TOPICS: 'false' });

    expect(config.PORT).toBe(3002);
    expect(config.KAFKA_BROKERS).toEqual(['kafka-0:9092', 'kafka-1:9092']);
    expect(config.KAFKA_ENSURE_TOPICS).toBe(false);
    expect(config.OUTBOX_BATCH_SIZE).toBe(100);
  });

  it('fails at start-up naming every bad variable', () => {
    try {
      loadConfig(BackendServiceConfig, { PORT: 'eighty', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'no-port', KAFKA_ENSURE_TOPICS: 'perhaps' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const name of ['PORT', 'DATABASE_URL', 'KAFKA_BROKERS', 'KAFKA_ENSURE_TOPICS']) expect(message).toContain(name);
    }
  });
});

describe('loadConfig type conversion', () => {
  it('turns every numeric and boolean setting given as text into its type', () => {
    const probe = new BackendServiceConfig();
    const typed = Object.entries(probe).filter(([, value]) => typeof value === 'number' || typeof value === 'boolean');
    const env = Object.fromEntries(typed.map(([name, value]) => [name, typeof value === 'number' ? String(Math.max(Number(value), 3_600_000)) : 'false']));

    const config = loadConfig(BackendServiceConfig, { PORT: '1', DATABASE_URL: 'postgres://x', KAFKA_BROKERS: 'k:9092', ...env, DATABASE_POOL_MAX: '7', EVENT_MAX_ATTEMPTS: '2', EVENT_PARTITION_CONCURRENCY: '4', OUTBOX_BATCH_SIZE: '9' });

    expect(typed.length).toBeGreaterThan(10);
    for (const [name, value] of typed) expect({ name, type: typeof config[name as keyof BackendServiceConfig] }).toEqual({ name, type: typeof value });
    expect(config.EVENT_MAX_ATTEMPTS).toBe(2);
  });
});
