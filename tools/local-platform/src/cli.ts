// `./platform up`, `ps` and `roll` land here (run by Node 24 directly; this folder uses only
// erasable TypeScript). `up` runs the whole platform in the foreground until Ctrl-C, then stops
// everything it started; `ps` and `roll` talk to a running `up` through its control socket.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchReplicas, requestRoll, serveControl } from './control.ts';
import { LocalPlatform } from './local-platform.ts';
import { MailCatcher } from './mail-catcher.ts';
import { intFromEnvironment, postgresFromEnvironment } from './environment.ts';
import { CACHE_DIR } from './paths.ts';
import { DEFAULT_PORTS, generateSigningKeys, SERVICE_NAMES, type ServiceName } from './services.ts';

const env = process.env;
const int = (name: string, fallback: number) => intFromEnvironment(name, fallback, env);

/** GATEWAY_PORT, USER_SERVICE_PORT, … override the balancers' ports (each replica gets free ones, `./platform ps`). */
function portsOf(service: ServiceName) {
  const prefix = service.toUpperCase().replace(/-/g, '_');
  return { http: int(`${prefix}_PORT`, DEFAULT_PORTS[service].http), management: DEFAULT_PORTS[service].management };
}

/** The dev signing key survives restarts, so tokens stay valid across `./platform up` runs. */
function devSigningKeys(): string {
  const file = join(CACHE_DIR, 'secrets', 'jwt-signing-keys.json');
  if (!existsSync(file)) {
    mkdirSync(join(CACHE_DIR, 'secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(file, generateSigningKeys(), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

async function up(replicas: number): Promise<void> {
  const log = (line: string) => console.log(`platform             | ${line}`);
  // Mail goes to SMTP_URL when the caller sets one; otherwise to a local catcher with a web page.
  const mailCatcher = env['SMTP_URL'] ? undefined : await new MailCatcher({ smtpPort: int('MAIL_CATCHER_SMTP_PORT', 1025), webPort: int('MAIL_CATCHER_WEB_PORT', 1080) }).start();
  const platform = await LocalPlatform.start(
    {
      ports: Object.fromEntries(SERVICE_NAMES.map((service) => [service, portsOf(service)])) as Record<ServiceName, { http: number; management: number }>,
      inheritEnv: true,
      database: {
        ...postgresFromEnvironment(env),
        name: env['PLATFORM_DB'] ?? 'platform',
        passwords: {
          'user-service': env['USER_SERVICE_DB_PASSWORD'] ?? 'local-user-service',
          'order-service': env['ORDER_SERVICE_DB_PASSWORD'] ?? 'local-order-service',
          'notification-service': env['NOTIFICATION_SERVICE_DB_PASSWORD'] ?? 'local-notification-service',
        },
      },
      kafka: env['KAFKA_BROKERS']
        ? { brokers: env['KAFKA_BROKERS'] }
        : { start: { port: int('KAFKA_PORT', 9092), controllerPort: int('KAFKA_CONTROLLER_PORT', 9093), dataDir: join(CACHE_DIR, 'kafka', 'dev') } },
      output: 'inherit',
      signingKeys: devSigningKeys(),
      smtpUrl: env['SMTP_URL'] ?? mailCatcher?.smtpUrl,
      adminEmails: (env['ADMIN_EMAILS'] ?? 'admin@example.com').split(',').map((email) => email.trim()),
      logFormat: env['LOG_FORMAT'] === 'json' || !process.stdout.isTTY ? 'json' : 'pretty',
      logLevel: env['LOG_LEVEL'] ?? 'info',
      // A web app's dev server may call the API from the browser (CORS); CORS_ORIGINS replaces the list.
      extraEnv: { gateway: { CORS_ORIGINS: env['CORS_ORIGINS'] ?? 'http://localhost:5173' } },
      // PROMETHEUS=1: Debian's Prometheus (fetched into .cache once) with tools/prometheus/prometheus.yml.
      prometheus: env['PROMETHEUS'] === '1' ? { port: int('PROMETHEUS_PORT', 9090), dataDir: join(CACHE_DIR, 'prometheus', 'dev') } : undefined,
      // Each service's replicas behind HAProxy on its port, as Kubernetes runs them.
      replicas: { count: replicas, workDir: join(CACHE_DIR, 'platform') },
    },
    log,
  );
  const control = await serveControl(platform, log);
  log(`gateway: ${platform.url('gateway')}/api/v1   API docs: ${platform.url('gateway')}/docs`);
  log(`${replicas} replica(s) of each service behind HAProxy on ports ${SERVICE_NAMES.map((service) => platform.url(service).split(':').at(-1)).join(', ')}; \`./platform ps\` lists them with their management ports (/metrics, /health), \`./platform roll <service>\` rolls one`);
  if (platform.prometheus) log(`prometheus: ${platform.prometheus.url}/targets (try the query outbox_backlog_rows)`);
  log(mailCatcher ? `mail: caught on ${mailCatcher.smtpUrl}, read it at ${mailCatcher.webUrl}` : `mail: sent to SMTP_URL (${new URL(env['SMTP_URL'] as string).host})`);
  log('press Ctrl-C to stop');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    control.close();
    await platform.stop();
    await mailCatcher?.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** `./platform ps [--json]`: every replica of the running platform. */
async function ps(json: boolean): Promise<void> {
  const rows = await fetchReplicas();
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const table = [['SERVICE', 'VERSION', 'PID', 'PORT', 'MANAGEMENT', 'READY'], ...rows.map((row) => [row.service, row.version, String(row.pid ?? '-'), String(row.port), String(row.managementPort), row.ready ? 'yes' : 'no'])];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
}

const fail = (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
};
const usage = 'usage: cli.ts up [--replicas N] | ps [--json] | roll <service>';
const { positionals, values } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { replicas: { type: 'string' }, json: { type: 'boolean' } } });
const [command, target] = positionals;
if (command === 'up') {
  const replicas = Number(values.replicas ?? '1');
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) fail(`--replicas must be a whole number from 1 to 10 (${usage})`);
  up(replicas).catch(fail);
} else if (command === 'ps') {
  ps(values.json === true).catch(fail);
} else if (command === 'roll' && (SERVICE_NAMES as readonly string[]).includes(target ?? '')) {
  requestRoll(target as ServiceName, (text) => process.stdout.write(text)).then((ok) => process.exit(ok ? 0 : 1), fail);
} else {
  console.error(`${usage}\n(services: ${SERVICE_NAMES.join(', ')})`);
  process.exit(2);
}
