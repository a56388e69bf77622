import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ApiClient } from './api-client.ts';
import { serviceDatabaseUrl, type DatabaseOptions, type DatabaseService } from './local/database.ts';
import { LocalPlatform, type LocalPlatformOptions } from './local/local-platform.ts';
import { REPO_ROOT } from './local/paths.ts';
import type { ServiceName } from './local/services.ts';
import { freePort } from './local/wait.ts';

export const ADMIN_EMAIL = 'admin@e2e.example.com';

export interface TestPlatformOptions {
  extraEnv?: LocalPlatformOptions['extraEnv'];
}

/**
 * A whole platform for one test suite: its own database, its own Kafka broker, the four services
 * as processes on free ports, logs in tmp/e2e/<suite>/. Stop it in afterAll.
 */
export class TestPlatform {
  readonly platform: LocalPlatform;
  readonly api: ApiClient;
  readonly workDir: string;
  private readonly pools = new Map<string, pg.Pool>();

  private constructor(platform: LocalPlatform, workDir: string) {
    this.platform = platform;
    this.workDir = workDir;
    this.api = new ApiClient(`${platform.url('gateway')}/api/v1`);
  }

  static async start(suite: string, options: TestPlatformOptions = {}): Promise<TestPlatform> {
    const id = `${suite.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
    const workDir = join(REPO_ROOT, 'tmp', 'e2e', id);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const database: DatabaseOptions = {
      host: process.env['PGHOST'] ?? '127.0.0.1',
      port: Number(process.env['PGPORT'] ?? 5432),
      name: `e2e_${id}`.slice(0, 63),
      adminUser: process.env['PGUSER'] ?? 'postgres',
      passwords: { 'user-service': 'e2e-user', 'order-service': 'e2e-order', 'notification-service': 'e2e-notification' },
    };
    const [gateway, user, order, notification, kafka, controller] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const platform = await LocalPlatform.start({
      ports: { gateway, 'user-service': user, 'order-service': order, 'notification-service': notification },
      database,
      kafka: { start: { port: kafka, controllerPort: controller, dataDir: join(workDir, 'kafka') } },
      output: workDir,
      adminEmails: [ADMIN_EMAIL],
      logLevel: 'info',
      extraEnv: options.extraEnv,
      dropDatabaseOnStop: true,
    });
    return new TestPlatform(platform, workDir);
  }

  url(service: ServiceName): string {
    return this.platform.url(service);
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

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
    await this.platform.stop();
    if (process.env['KEEP_E2E_LOGS'] !== 'true') rmSync(join(this.workDir, 'kafka'), { recursive: true, force: true });
  }
}
