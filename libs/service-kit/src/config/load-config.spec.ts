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
