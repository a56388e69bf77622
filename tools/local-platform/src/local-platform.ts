import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Balancer } from './balancer.ts';
import { dropDatabase, setupDatabase, type DatabaseOptions } from './database.ts';
import { ServiceDeployment, type ReplicaInfo } from './deployment.ts';
import { distImage, snapshotImage, type ServiceImage } from './images.ts';
import { KafkaCluster, startKafka, type KafkaBroker, type KafkaOptions } from './kafka.ts';
import { MailCatcher } from './mail-catcher.ts';
import type { ManagedProcess } from './managed-process.ts';
import { podSpecFromManifests } from './pod-spec.ts';
import { startPrometheus, writeScrapeTargets, type PrometheusServer } from './prometheus-server.ts';
import { freePort } from './wait.ts';
import {
  BACKEND_SERVICES,
  generateSigningKeys,
  runMigrations,
  SERVICE_NAMES,
  serviceUrl,
  startServiceProcess,
  waitUntilReady,
  type PlatformWiring,
  managementUrl,
  type ServiceName,
  type ServicePorts,
} from './services.ts';

/** The gateway's live stream (SPEC §2): requests that stay open, outside the edge's per-replica limit. */
const NOTIFICATION_STREAM_PATH = '/api/v1/notifications/stream';

export interface LocalPlatformOptions {
  ports: Record<ServiceName, ServicePorts>;
  database: DatabaseOptions;
  /** Start a broker with these settings, a three-node cluster (`cluster`, as production runs), or use an existing one (`brokers`). */
  kafka: { start: Omit<KafkaOptions, 'output'> } | { cluster: { ports: { port: number; controllerPort: number }[]; dataDir: string } } | { brokers: string };
  /** Folder for one log file per process, or 'inherit' to print prefixed lines. */
  output: string | 'inherit';
  signingKeys?: string;
  adminEmails?: string[];
  /** Where notification-service sends mail; without it the platform runs a mail catcher of its own on a free port. */
  smtpUrl?: string;
  logFormat?: 'json' | 'pretty';
  logLevel?: string;
  extraEnv?: PlatformWiring['extraEnv'];
  /** Drop the database when the platform stops (tests). */
  dropDatabaseOnStop?: boolean;
  /** Services inherit the caller's environment (see PlatformWiring.inheritEnv). */
  inheritEnv?: boolean;
  nodeArgs?: PlatformWiring['nodeArgs'];
  /** Also run Prometheus scraping every service's management port (tools/prometheus/prometheus.yml). */
  prometheus?: { port: number; dataDir: string; scrapeIntervalSeconds?: number };
  /**
   * Run every service as this many replicas behind a real load balancer listening on the service's
   * port, as Kubernetes runs them (`./platform up`, the rehearsal): see ServiceDeployment. Without
   * it, one process per service listens on the service's ports itself (the e2e suites).
   */
  replicas?: { count: number; workDir: string };
  /** Balanced mode: start these services from these images (an older release) instead of their current build. */
  images?: Partial<Record<ServiceName, ServiceImage>>;
}

/**
 * The whole platform on this machine: Postgres schemas and roles, a Kafka broker, migrations, the
 * four services as real processes. `./platform up` and the end-to-end tests both run it.
 */
export class LocalPlatform {
  readonly wiring: PlatformWiring;
  kafka?: KafkaBroker;
  /** The three-node cluster this platform started (`kafka: { cluster }`). */
  kafkaCluster?: KafkaCluster;
  prometheus?: PrometheusServer;
  /** The mail catcher this platform started because no smtpUrl was given. */
  readonly mailCatcher?: MailCatcher;
  private readonly processes = new Map<ServiceName, ManagedProcess>();
  /** More instances of a service (scaling tests), stopped with the platform. */
  private readonly replicas: ManagedProcess[] = [];
  /** Management URL of each replica, by its client URL. */
  private readonly replicaManagement = new Map<string, string>();
  private readonly options: LocalPlatformOptions;
  /** Balanced mode: the balancer and each service's replicas. */
  balancer?: Balancer;
  private readonly deployments = new Map<ServiceName, ServiceDeployment>();
  private targetsTimer?: NodeJS.Timeout;

  private constructor(options: LocalPlatformOptions, kafka: KafkaBroker | KafkaCluster | undefined, mailCatcher: MailCatcher | undefined) {
    this.options = options;
    if (kafka instanceof KafkaCluster) this.kafkaCluster = kafka;
    else this.kafka = kafka;
    this.mailCatcher = mailCatcher;
    // Topics as production has them on a cluster: three replicas (min.insync.replicas 2 is the brokers' default).
    const replicated = kafka instanceof KafkaCluster ? Object.fromEntries(SERVICE_NAMES.map((service) => [service, { KAFKA_TOPIC_REPLICATION_FACTOR: '3', ...options.extraEnv?.[service] }])) : options.extraEnv;
    this.wiring = {
      ports: options.ports,
      kafkaBrokers: kafka?.brokers ?? ('brokers' in options.kafka ? options.kafka.brokers : ''),
      database: options.database,
      signingKeys: options.signingKeys ?? generateSigningKeys(),
      adminEmails: options.adminEmails ?? [],
      smtpUrl: options.smtpUrl ?? mailCatcher?.smtpUrl ?? '',
      logFormat: options.logFormat ?? 'json',
      logLevel: options.logLevel ?? 'info',
      extraEnv: replicated,
      inheritEnv: options.inheritEnv,
      nodeArgs: options.nodeArgs,
    };
  }

  /** Prepares the database and Kafka, migrates, then starts every service and waits until all are ready. */
  static async start(options: LocalPlatformOptions, log: (line: string) => void = () => undefined): Promise<LocalPlatform> {
    log(`database: setting up "${options.database.name}" (roles, schemas)`);
    setupDatabase(options.database);
    let kafka: KafkaBroker | KafkaCluster | undefined;
    if ('start' in options.kafka) {
      log(`kafka: starting a KRaft broker on 127.0.0.1:${options.kafka.start.port}`);
      kafka = await startKafka({ ...options.kafka.start, output: LocalPlatform.outputFor(options.output, 'kafka') });
    } else if ('cluster' in options.kafka) {
      log(`kafka: starting a three-node KRaft cluster on 127.0.0.1:${options.kafka.cluster.ports.map((ports) => ports.port).join(', ')}`);
      kafka = await KafkaCluster.start({ ...options.kafka.cluster, output: (node) => LocalPlatform.outputFor(options.output, `kafka-${node}`) });
    }
    const mailCatcher = options.smtpUrl ? undefined : await new MailCatcher({ smtpPort: await freePort() }).start();
    const platform = new LocalPlatform(options, kafka, mailCatcher);
    try {
      for (const service of BACKEND_SERVICES) log(`${service}: ${runMigrations(service, options.database, options.images?.[service])}`);
      if (options.replicas) await platform.startDeployments(options.replicas, log);
      else await Promise.all(SERVICE_NAMES.map((service) => platform.startService(service)));
      if (options.prometheus) {
        const managementPorts = Object.fromEntries(SERVICE_NAMES.map((service) => [service, options.ports[service].management])) as Record<ServiceName, number>;
        const targetsFile = options.replicas ? await platform.followReplicasInto(join(options.prometheus.dataDir, 'targets.json')) : undefined;
        platform.prometheus = await startPrometheus({ ...options.prometheus, managementPorts, targetsFile, output: LocalPlatform.outputFor(options.output, 'prometheus') });
        log(`prometheus: ${platform.prometheus.url} scraping ${SERVICE_NAMES.length} services`);
      }
      log(`ready: gateway on ${serviceUrl(platform.wiring, 'gateway')}`);
      return platform;
    } catch (error) {
      await platform.stop();
      throw error;
    }
  }

  /** The client port: API and probes. */
  url(service: ServiceName): string {
    return serviceUrl(this.wiring, service);
  }

  /** The management port: /metrics, probes, and the detailed /health (of the oldest replica, when balanced). */
  managementUrl(service: ServiceName): string {
    const deployment = this.deployments.get(service);
    return deployment ? deployment.replicaUrls(0).managementUrl : managementUrl(this.wiring, service);
  }

  /** Balanced mode: a service's replicas. */
  deployment(service: ServiceName): ServiceDeployment {
    const deployment = this.deployments.get(service);
    if (!deployment) throw new Error(`${service} runs without replicas (start the platform with { replicas })`);
    return deployment;
  }

  /** Balanced mode: every replica of every service, as `./platform ps` shows them. */
  async replicaList(): Promise<ReplicaInfo[]> {
    return (await Promise.all(SERVICE_NAMES.map((service) => this.deployments.get(service)?.list() ?? []))).flat();
  }

  /**
   * Balanced mode: rolls a service to `image` (by default a snapshot of its current build): the
   * image's migrations first, as the per-version migration Job does, then the rolling update.
   */
  async roll(service: ServiceName, image?: ServiceImage, log: (line: string) => void = () => undefined): Promise<{ replaced: number; exitCodes: (number | null)[]; version: string }> {
    const next = image ?? snapshotImage(service, join(this.options.replicas?.workDir ?? '', 'images'));
    if ((BACKEND_SERVICES as readonly string[]).includes(service)) log(`${service}: ${runMigrations(service as (typeof BACKEND_SERVICES)[number], this.options.database, next)}`);
    log(`${service}: rolling to ${next.version}`);
    const result = await this.deployment(service).roll(next);
    log(`${service}: ${result.replaced} replica(s) replaced, exit codes ${result.exitCodes.join(', ')}`);
    return { ...result, version: next.version };
  }

  /** Keeps `file` listing every replica's management port (Prometheus' file discovery) while the platform runs. */
  private async followReplicasInto(file: string): Promise<string> {
    mkdirSync(dirname(file), { recursive: true });
    const write = async () => writeScrapeTargets(file, await this.replicaList());
    await write();
    this.targetsTimer = setInterval(() => void write().catch(() => undefined), 2_000);
    this.targetsTimer.unref();
    return file;
  }

  private async startDeployments(replicas: { count: number; workDir: string }, log: (line: string) => void): Promise<void> {
    const spec = podSpecFromManifests();
    this.balancer = await Balancer.start(
      { dataDir: join(replicas.workDir, 'balancer'), output: LocalPlatform.outputFor(this.options.output, 'balancer'), probe: spec.readiness },
      SERVICE_NAMES.map((service) =>
        service === 'gateway'
          ? { name: service, port: this.options.ports[service].http, kind: 'edge', longLivedPaths: [NOTIFICATION_STREAM_PATH] }
          : { name: service, port: this.options.ports[service].http, kind: 'service' },
      ),
    );
    log(`balancer: HAProxy on ports ${SERVICE_NAMES.map((service) => this.options.ports[service].http).join(', ')}, checking ${spec.readiness.path} every ${spec.readiness.periodSeconds} s`);
    for (const service of SERVICE_NAMES) {
      this.deployments.set(
        service,
        new ServiceDeployment(service, { wiring: this.wiring, balancer: this.balancer, spec, outputFor: (replica) => LocalPlatform.outputFor(this.options.output, replica), log }),
      );
    }
    // Backends first: the gateway's start-up fetches nothing, but the others need user-service's JWKS on first use.
    for (const group of [['user-service'], ['order-service', 'notification-service'], ['gateway']] as ServiceName[][]) {
      await Promise.all(group.map((service) => this.deployment(service).scaleTo(replicas.count, this.options.images?.[service] ?? snapshotImage(service, join(replicas.workDir, 'images'), 'start'))));
    }
  }

  process(service: ServiceName): ManagedProcess {
    if (this.deployments.has(service)) return this.deployment(service).process(0);
    const child = this.processes.get(service);
    if (!child) throw new Error(`${service} is not running`);
    return child;
  }

  async startService(service: ServiceName): Promise<ManagedProcess> {
    const child = startServiceProcess(service, this.wiring, LocalPlatform.outputFor(this.options.output, service));
    this.processes.set(service, child);
    await waitUntilReady(service, this.wiring, child);
    return child;
  }

  /** Changes a service's environment for its next start (e.g. new signing keys before a restart). */
  setServiceEnv(service: ServiceName, env: NodeJS.ProcessEnv): void {
    this.wiring.extraEnv = { ...this.wiring.extraEnv, [service]: { ...this.wiring.extraEnv?.[service], ...env } };
  }

  /**
   * A replica started with `env` over its service's environment (a variable set to undefined is
   * left out), a variant beside the others; the service's next starts are as before.
   */
  async startReplicaWith(service: ServiceName, env: NodeJS.ProcessEnv): Promise<string> {
    const before = this.wiring.extraEnv?.[service];
    this.setServiceEnv(service, env);
    try {
      return await this.startReplica(service);
    } finally {
      this.wiring.extraEnv = { ...this.wiring.extraEnv, [service]: before };
    }
  }

  /**
   * Another instance of a service on ports of its own, sharing database, Kafka and consumer group.
   * Resolves with the replica's client URL.
   */
  async startReplica(service: ServiceName): Promise<string> {
    const ports = { http: await freePort(), management: await freePort() };
    const wiring = { ...this.wiring, ports: { ...this.wiring.ports, [service]: ports } };
    const child = startServiceProcess(service, wiring, LocalPlatform.outputFor(this.options.output, `${service}-${ports.http}`));
    this.replicas.push(child);
    await waitUntilReady(service, wiring, child);
    this.replicaManagement.set(serviceUrl(wiring, service), managementUrl(wiring, service));
    return serviceUrl(wiring, service);
  }

  /** The management port (/metrics, probes) of a replica startReplica started, by its client URL. */
  replicaManagementUrl(replicaUrl: string): string {
    const url = this.replicaManagement.get(replicaUrl);
    if (!url) throw new Error(`no replica at ${replicaUrl}`);
    return url;
  }

  /** Stops the broker this platform started (its data stays) … */
  async stopKafka(): Promise<void> {
    if (!this.kafka) throw new Error('this platform uses an external Kafka');
    await this.kafka.process.stop(30_000);
  }

  /** … and starts it again on the same port with the same data. */
  async restartKafka(): Promise<void> {
    if (!this.kafka) throw new Error('this platform uses an external Kafka');
    if (this.kafka.process.isRunning) await this.stopKafka();
    this.kafka = await startKafka(this.kafka.options);
  }

  /** Runs a consumer's dead-letter replay command (`dist/apps/<service>/dlq-replay.js`) against this platform. */
  replayDeadLetters(service: 'order-service' | 'notification-service', args: string[]): string {
    return execFileSync(process.execPath, [join(distImage(service).dir, 'dlq-replay.js'), ...args], {
      env: { PATH: process.env['PATH'], KAFKA_BROKERS: this.wiring.kafkaBrokers, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
  }

  /** SIGTERM and wait: the graceful path. Resolves with the exit code. */
  async stopService(service: ServiceName): Promise<number | null> {
    const code = await this.process(service).stop();
    this.processes.delete(service);
    return code;
  }

  /** SIGKILL: the crash path. */
  async killService(service: ServiceName): Promise<void> {
    await this.process(service).kill();
    this.processes.delete(service);
  }

  /** Stops Prometheus, the services (gateway first), then Kafka if this platform started it. */
  async stop(): Promise<void> {
    clearInterval(this.targetsTimer);
    await this.prometheus?.process.stop();
    await Promise.all(this.replicas.splice(0).map((replica) => replica.stop()));
    await this.deployments.get('gateway')?.stop();
    await Promise.all(BACKEND_SERVICES.map((service) => this.deployments.get(service)?.stop()));
    await this.balancer?.stop();
    const order: ServiceName[] = ['gateway', 'user-service', 'order-service', 'notification-service'];
    for (const service of order) {
      const child = this.processes.get(service);
      if (child) await child.stop();
      this.processes.delete(service);
    }
    await this.kafka?.process.stop(30_000);
    await this.kafkaCluster?.stop();
    await this.mailCatcher?.stop();
    if (this.options.dropDatabaseOnStop) dropDatabase(this.options.database);
  }

  private static outputFor(output: string | 'inherit', name: string): string | 'inherit' {
    return output === 'inherit' ? output : join(output, `${name}.log`);
  }
}
