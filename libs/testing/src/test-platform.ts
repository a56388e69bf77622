import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createApiClient, type ApiClient as TypedApiClient } from '@platform/api-client';
import { ApiClient } from './api-client.ts';
import { KafkaTestClient } from './kafka-test-client.ts';
import { OtlpReceiver } from './otlp-receiver.ts';
import {
  freePort,
  keepTestData,
  LocalPlatform,
  MailCatcher,
  postgresFromEnvironment,
  REPO_ROOT,
  serviceDatabaseUrl,
  startPrivatePostgres,
  type DatabaseOptions,
  type DatabaseService,
  type LocalPlatformOptions,
  type PrivatePostgres,
  SERVICE_NAMES,
  type ServiceName,
} from '@platform/local-platform';

export const ADMIN_EMAIL = 'admin@e2e.example.com';

export interface TestPlatformOptions {
  extraEnv?: LocalPlatformOptions['extraEnv'];
  /** Run on a PostgreSQL server of the suite's own (to stop and restart it), not the machine's. */
  privatePostgres?: boolean;
  /** Export every service's spans to an OTLP receiver of the suite (`platform.otlp`). */
  tracing?: boolean;
  /** Run this many replicas of every service behind HAProxy on the service's ports, as `./platform up` does. */
  replicas?: number;
}

/**
 * A whole platform for one test suite: its own database, its own Kafka broker, the four services
 * as processes on free ports, logs in tmp/e2e/<suite>/. Stop it in afterAll.
 */
export class TestPlatform {
  readonly platform: LocalPlatform;
  readonly api: ApiClient;
  /** The typed client of @platform/api-client on the gateway, as the API's clients use it (paths carry /api/v1). */
  readonly client: TypedApiClient;
  readonly kafka: KafkaTestClient;
  readonly workDir: string;
  /** Spans the services exported, when started with `{ tracing: true }`. */
  readonly otlp?: OtlpReceiver;
  /** The suite's SMTP server (a real one): every mail notification-service sent; stop and start it for an outage. */
  readonly mail: MailCatcher;
  private postgres?: PrivatePostgres;
  private readonly pools = new Map<string, pg.Pool>();

  private constructor(platform: LocalPlatform, workDir: string, postgres: PrivatePostgres | undefined, otlp: OtlpReceiver | undefined, mail: MailCatcher) {
    this.platform = platform;
    this.mail = mail;
    this.otlp = otlp;
    this.workDir = workDir;
    this.postgres = postgres;
    this.api = new ApiClient(`${platform.url('gateway')}/api/v1`);
    this.client = createApiClient({ baseUrl: platform.url('gateway') });
    this.kafka = new KafkaTestClient(platform.wiring.kafkaBrokers);
  }

  static async start(suite: string, options: TestPlatformOptions = {}): Promise<TestPlatform> {
    const id = `${suite.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
    const workDir = join(REPO_ROOT, 'tmp', 'e2e', id);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const [kafka, controller, postgresPort, smtpPort, ...servicePorts] = await Promise.all(Array.from({ length: 4 + 2 * SERVICE_NAMES.length }, () => freePort()));
    const ports = Object.fromEntries(SERVICE_NAMES.map((service, index) => [service, { http: servicePorts[2 * index], management: servicePorts[2 * index + 1] }])) as LocalPlatformOptions['ports'];
    const postgres = options.privatePostgres
      ? await startPrivatePostgres({ dataDir: join(workDir, 'postgres'), port: postgresPort, output: join(workDir, 'postgres.log') })
      : undefined;
    const server = postgres ?? postgresFromEnvironment();
    const database: DatabaseOptions = {
      host: server.host,
      port: server.port,
      adminUser: server.adminUser,
      name: `e2e_${id}`.slice(0, 63),
      passwords: { 'user-service': 'e2e-user', 'order-service': 'e2e-order', 'notification-service': 'e2e-notification' },
    };
    const otlp = options.tracing ? new OtlpReceiver() : undefined;
    const tracingEnv = otlp
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: await otlp.start(), OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_TRACES_SAMPLER: 'parentbased_always_on' }
      : {};
    // Suites log in many users from one address: the gateway's abuse limits are lifted unless a
    // suite sets its own (the rate-limit suite does).
    const generousLimits = { RATE_LIMIT_LOGIN_PER_IP: '100000', RATE_LIMIT_PER_IP: '100000', RATE_LIMIT_PER_USER: '100000', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100000' };
    // Mail retries come quickly, so an SMTP outage in a test ends in seconds, not minutes.
    const quickMail = { MAIL_POLL_INTERVAL_MS: '200', MAIL_RETRY_INITIAL_MS: '200', MAIL_RETRY_MAX_MS: '1000', SMTP_TIMEOUT_MS: '2000' };
    const extraEnv = Object.fromEntries(
      SERVICE_NAMES.map((service) => [
        service,
        { ...tracingEnv, ...(service === 'gateway' ? generousLimits : {}), ...(service === 'notification-service' ? quickMail : {}), ...options.extraEnv?.[service] },
      ]),
    );
    const mail = await new MailCatcher({ smtpPort }).start();
    const platform = await LocalPlatform.start({
      ports,
      database,
      kafka: { start: { port: kafka, controllerPort: controller, dataDir: join(workDir, 'kafka') } },
      output: workDir,
      adminEmails: [ADMIN_EMAIL],
      smtpUrl: mail.smtpUrl,
      logLevel: 'info',
      extraEnv,
      dropDatabaseOnStop: !postgres,
      replicas: options.replicas ? { count: options.replicas, workDir } : undefined,
    }).catch(async (error: unknown) => {
      await postgres?.process.stop(10_000, 'SIGINT');
      await otlp?.stop();
      await mail.stop();
      throw error;
    });
    return new TestPlatform(platform, workDir, postgres, otlp, mail);
  }

  /** Stops the suite's own PostgreSQL (fast shutdown: clients are cut off) and leaves it down. */
  async stopPostgres(): Promise<void> {
    if (!this.postgres) throw new Error('start the suite with { privatePostgres: true } to stop its database');
    await this.postgres.process.stop(20_000, 'SIGINT');
  }

  /** Starts the suite's own PostgreSQL again, same data, same port. */
  async startPostgres(): Promise<void> {
    if (!this.postgres) throw new Error('start the suite with { privatePostgres: true } to restart its database');
    this.postgres = await startPrivatePostgres({ dataDir: join(this.workDir, 'postgres'), port: this.postgres.port, output: join(this.workDir, 'postgres.log') });
  }

  /** The client port: API and probes. */
  url(service: ServiceName): string {
    return this.platform.url(service);
  }

  /** The management port: /metrics, probes, and the gateway's /health. */
  managementUrl(service: ServiceName): string {
    return this.platform.managementUrl(service);
  }

  /** Runs SQL as a service's own database role, the way the service itself would. */
  async queryAs<T extends pg.QueryResultRow = any>(service: DatabaseService, sql: string, params: unknown[] = []): Promise<T[]> {
    let pool = this.pools.get(service);
    if (!pool) {
      pool = new pg.Pool({ connectionString: serviceDatabaseUrl(this.platform.wiring.database, service), max: 2 });
      this.pools.set(service, pool);
    }
    return (await pool.query<T>(sql, params)).rows;
  }

  /** The log lines (parsed) a service wrote so far that mention a request id. */
  requestLog(service: ServiceName, requestId: string): Record<string, unknown>[] {
    return readFileSync(join(this.workDir, `${service}.log`), 'utf8')
      .split('\n')
      .filter((line) => line.includes(requestId))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
    await this.platform.stop();
    await this.postgres?.process.stop(20_000, 'SIGINT');
    await this.otlp?.stop();
    await this.mail.stop();
    if (!keepTestData()) {
      for (const data of ['kafka', 'postgres']) rmSync(join(this.workDir, data), { recursive: true, force: true });
    }
  }
}
