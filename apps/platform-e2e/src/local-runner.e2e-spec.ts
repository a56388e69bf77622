import { DEFAULT_PORTS, serviceEnv, type PlatformWiring } from '@platform/local-platform';

describe('the local runner (./platform up)', () => {
  const wiring = (inheritEnv: boolean): PlatformWiring => ({
    ports: DEFAULT_PORTS,
    kafkaBrokers: '127.0.0.1:9092',
    database: { host: '127.0.0.1', port: 5432, name: 'platform', adminUser: 'postgres', passwords: { 'user-service': 'u', 'order-service': 'o', 'notification-service': 'n' } },
    signingKeys: '{"keys":[]}',
    adminEmails: ['admin@example.com'],
    logFormat: 'json',
    logLevel: 'info',
    inheritEnv,
  });
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  it('passes every setting of the caller to the services, while its own wiring wins', () => {
    Object.assign(process.env, { RATE_LIMIT_PER_IP: '1000', TRUST_PROXY: '1', PORT: '9999', DATABASE_URL: 'postgres://elsewhere/x' });

    const gateway = serviceEnv('gateway', wiring(true));
    const orders = serviceEnv('order-service', wiring(true));

    expect({ RATE_LIMIT_PER_IP: gateway['RATE_LIMIT_PER_IP'], TRUST_PROXY: gateway['TRUST_PROXY'], PORT: gateway['PORT'], MANAGEMENT_PORT: gateway['MANAGEMENT_PORT'] }).toEqual({
      RATE_LIMIT_PER_IP: '1000',
      TRUST_PROXY: '1',
      PORT: '3000',
      MANAGEMENT_PORT: '9464',
    });
    expect(orders['DATABASE_URL']).toMatch(/^postgres:\/\/order_service:o@127\.0\.0\.1:5432\/platform$/);
  });

  it('keeps tests and the benchmark to what they set (and OTEL_*)', () => {
    Object.assign(process.env, { RATE_LIMIT_PER_IP: '1000', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });

    const gateway = serviceEnv('gateway', wiring(false));

    expect({ RATE_LIMIT_PER_IP: gateway['RATE_LIMIT_PER_IP'], otlp: gateway['OTEL_EXPORTER_OTLP_ENDPOINT'] }).toEqual({ RATE_LIMIT_PER_IP: undefined, otlp: 'http://127.0.0.1:4318' });
  });
});
