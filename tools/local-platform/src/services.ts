import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { serviceDatabaseUrl, type DatabaseOptions, type DatabaseService } from './database.ts';
import { distImage, type ServiceImage } from './images.ts';
import { ManagedProcess } from './managed-process.ts';
import { GiveUp, waitFor } from './wait.ts';

export const SERVICE_NAMES = ['user-service', 'order-service', 'notification-service', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const BACKEND_SERVICES: readonly DatabaseService[] = ['user-service', 'order-service', 'notification-service'];

/** A service's two ports: the client port (API, probes) and the management port (metrics, probes, details). */
export interface ServicePorts {
  http: number;
  management: number;
}

/** Everything the services need to find each other and their dependencies. */
export interface PlatformWiring {
  ports: Record<ServiceName, ServicePorts>;
  kafkaBrokers: string;
  database: DatabaseOptions;
  /** JWT_SIGNING_KEYS of user-service (a JWK Set with private keys). */
  signingKeys: string;
  adminEmails: string[];
  /** SMTP_URL of notification-service. */
  smtpUrl: string;
  logFormat: 'json' | 'pretty';
  logLevel: string;
  /** Extra variables per service (tests use it to tune retries, timeouts, …). */
  extraEnv?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /**
   * Pass the caller's environment to every service (`./platform up`: `RATE_LIMIT_PER_IP=1000
   * ./platform up` reaches the gateway); the wiring above still wins. Off for tests and the
   * benchmark, whose services see only what they set (and OTEL_*).
   */
  inheritEnv?: boolean;
  /** Extra Node.js flags per service, before the entry point (the benchmark's `--cpu-prof`). */
  nodeArgs?: Partial<Record<ServiceName, string[]>>;
}

export const serviceUrl = (wiring: PlatformWiring, service: ServiceName) => `http://127.0.0.1:${wiring.ports[service].http}`;
export const managementUrl = (wiring: PlatformWiring, service: ServiceName) => `http://127.0.0.1:${wiring.ports[service].management}`;

/** Fixed ports of `./platform up`: 3000–3003 for clients, 9464–9467 for operations. */
export const DEFAULT_PORTS: Record<ServiceName, ServicePorts> = {
  gateway: { http: 3000, management: 9464 },
  'user-service': { http: 3001, management: 9465 },
  'order-service': { http: 3002, management: 9466 },
  'notification-service': { http: 3003, management: 9467 },
};

/** A new Ed25519 signing key as a JWK Set (the same shape tools/auth/generate-signing-keys.mjs prints). */
export function generateSigningKeys(): string {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return JSON.stringify({ keys: [{ ...jwk, kid: `local-${randomUUID().slice(0, 8)}`, alg: 'EdDSA', use: 'sig' }] });
}

/** The environment each service is started with; the same variables docker-compose and k8s set. */
export function serviceEnv(service: ServiceName, wiring: PlatformWiring, image: ServiceImage = distImage(service)): NodeJS.ProcessEnv {
  const jwksUrl = `${serviceUrl(wiring, 'user-service')}/.well-known/jwks.json`;
  // OTEL_* settings of the caller always reach every service (e.g. OTEL_EXPORTER_OTLP_ENDPOINT for Jaeger).
  const inherited = wiring.inheritEnv ? process.env : Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_')));
  const common = {
    ...(image.version !== 'dev' ? { SERVICE_VERSION: image.version } : {}),
    ...inherited,
    ...runtimeEnv(service),
    PATH: process.env['PATH'],
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(wiring.ports[service].http),
    MANAGEMENT_PORT: String(wiring.ports[service].management),
    LOG_FORMAT: wiring.logFormat,
    LOG_LEVEL: wiring.logLevel,
  };
  const backend = (name: DatabaseService) => ({
    DATABASE_URL: serviceDatabaseUrl(wiring.database, name),
    KAFKA_BROKERS: wiring.kafkaBrokers,
  });
  const own: Record<ServiceName, NodeJS.ProcessEnv> = {
    'user-service': { ...backend('user-service'), JWT_SIGNING_KEYS: wiring.signingKeys, ADMIN_EMAILS: wiring.adminEmails.join(',') },
    'order-service': { ...backend('order-service'), JWKS_URL: jwksUrl },
    'notification-service': { ...backend('notification-service'), JWKS_URL: jwksUrl, SMTP_URL: wiring.smtpUrl },
    gateway: {
      USER_SERVICE_URL: serviceUrl(wiring, 'user-service'),
      ORDER_SERVICE_URL: serviceUrl(wiring, 'order-service'),
      NOTIFICATION_SERVICE_URL: serviceUrl(wiring, 'notification-service'),
      JWKS_URL: jwksUrl,
    },
  };
  return { ...common, ...own[service], ...wiring.extraEnv?.[service] };
}

/** Applies a service's migrations as its own role (`node dist/apps/<service>/migrate.js`, or an image's). */
export function runMigrations(service: DatabaseService, database: DatabaseOptions, image: ServiceImage = distImage(service)): string {
  return execFileSync(process.execPath, [join(image.dir, 'migrate.js')], {
    env: { PATH: process.env['PATH'], DATABASE_URL: serviceDatabaseUrl(database, service) },
    encoding: 'utf8',
  }).trim();
}

/**
 * The Node.js flags every service runs with, here and in its image (tools/docker/Dockerfile sets the
 * same NODE_OPTIONS; a deployment test compares them); `./platform bench` measures what they do.
 * - `--max-semi-space-size=8`: V8 sizes the young generation from the machine's memory (up to
 *   3 × 64 MB here); 8 MB semi-spaces keep an idle service's heap near what it uses. Smaller ones
 *   (2 MB) saved another ~10 MB but cost ~25 % of the gateway's and order-service's throughput.
 * - `--max-old-space-size=128`: without a cap V8 lets the heap grow to twice what a loaded service
 *   keeps alive (~45-65 MB) and more (loaded RSS 270-310 MB); with it the same load runs at
 *   160-180 MB and the same throughput, inside the pods' limit (k8s/components/platform-service).
 * No compile cache (NODE_COMPILE_CACHE): it kept ~15 MB of every process resident for 0.1-0.5 s of
 * start-up, and a new pod starts with an empty /tmp, without one, anyway. No --enable-source-maps:
 * loading every package's source maps costs ~20 MB and start-up time, and the bundles are not
 * minified, so stack traces stay readable (add it to NODE_OPTIONS when debugging).
 */
export const SERVICE_NODE_OPTIONS = ['--max-semi-space-size=8', '--max-old-space-size=128'];

/**
 * The environment a service's process runs with beside its settings, here and in its image or
 * manifests (a deployment test compares them). It tunes glibc's malloc, which holds Node's memory
 * outside V8's heap (docs/reliability.md, "The soak"):
 * - `MALLOC_ARENA_MAX=2`, every service (the image's `ENV`): glibc gives each thread that allocates
 *   (V8's compiler and GC helpers, libuv's pool) its own malloc arena, up to 8 per core, and keeps
 *   each arena's high-water mark. Two arenas is the usual setting for Node on glibc.
 * - `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` at 128 KiB, glibc's own defaults, fixed,
 *   in the services that consume Kafka (order-service, notification-service: their k8s config.env
 *   and compose). Left dynamic, each large block freed raises the thresholds, up to 32 MiB, so later
 *   large blocks come from the main heap, whose top is then seldom given back; in the soak that heap
 *   stepped up 2–7 MB at a time (8 → 17 MB in 20 minutes) for as long as it ran. Fixed, blocks over
 *   128 KiB are mapped and unmapped on their own and the heap's free top is returned. Not in the
 *   gateway or user-service: their memory was flat without them, and with them the gateway's CPU per
 *   request rose 5–30 % (`BENCH_ONLY=malloc ./platform bench`).
 */
export const SERVICE_RUNTIME_ENV = { MALLOC_ARENA_MAX: '2' } as const;
export const CONSUMER_RUNTIME_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' } as const;
/** The services that consume Kafka (the others publish or call). */
export const CONSUMER_SERVICES: readonly ServiceName[] = ['order-service', 'notification-service'];

export function runtimeEnv(service: ServiceName): Record<string, string> {
  return { ...SERVICE_RUNTIME_ENV, ...(CONSUMER_SERVICES.includes(service) ? CONSUMER_RUNTIME_ENV : {}) };
}

export function startServiceProcess(service: ServiceName, wiring: PlatformWiring, output: string | 'inherit', image: ServiceImage = distImage(service), name: string = service): ManagedProcess {
  const args = [...SERVICE_NODE_OPTIONS, ...(wiring.nodeArgs?.[service] ?? []), join(image.dir, 'main.js')];
  return new ManagedProcess({ name, command: process.execPath, args, env: serviceEnv(service, wiring, image), output });
}

/** Waits until GET /health/ready answers 200 (or the process dies). */
export async function waitUntilReady(service: ServiceName, wiring: PlatformWiring, child: ManagedProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${service} to be ready`, async () => {
    if (!child.isRunning) throw new GiveUp(`${service} exited with code ${await child.exited} (see its log)`);
    const response = await fetch(`${serviceUrl(wiring, service)}/health/ready`).catch(() => undefined);
    return response?.status === 200;
  }, timeoutMs, 150);
}
