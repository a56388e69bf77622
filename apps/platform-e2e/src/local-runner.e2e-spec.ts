import { createTransport } from 'nodemailer';
import { DEFAULT_PORTS, freePort, MailCatcher, serviceEnv, type PlatformWiring } from '@platform/local-platform';

describe('the local runner (./platform up)', () => {
  const wiring = (inheritEnv: boolean): PlatformWiring => ({
    ports: DEFAULT_PORTS,
    kafkaBrokers: '127.0.0.1:9092',
    database: { host: '127.0.0.1', port: 5432, name: 'platform', adminUser: 'postgres', passwords: { 'user-service': 'u', 'order-service': 'o', 'notification-service': 'n' } },
    signingKeys: '{"keys":[]}',
    adminEmails: ['admin@example.com'],
    smtpUrl: 'smtp://127.0.0.1:1025',
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

  it('sends notification mail where the wiring says, whatever the caller had set', () => {
    Object.assign(process.env, { SMTP_URL: 'smtp://elsewhere:25' });
    expect(serviceEnv('notification-service', wiring(true))['SMTP_URL']).toBe('smtp://127.0.0.1:1025');
  });

  it('runs a mail catcher that shows what it caught on a web page', async () => {
    const catcher = await new MailCatcher({ smtpPort: await freePort(), webPort: await freePort() }).start();
    try {
      await createTransport(catcher.smtpUrl).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'Hello <there>', text: 'Body text', html: '<p>Body</p>' });
      const page = await (await fetch(catcher.webUrl as string)).text();
      expect(page).toContain('Hello &lt;there&gt;');
      expect(page).toContain('b@example.com');
      const mails = await (await fetch(`${catcher.webUrl}/mails.json`)).json();
      expect(mails).toEqual([expect.objectContaining({ to: ['b@example.com'], subject: 'Hello <there>', text: 'Body text', contentType: 'multipart/alternative' })]);
    } finally {
      await catcher.stop();
    }
  });
});
