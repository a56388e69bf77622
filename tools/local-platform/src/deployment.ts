import type { Balancer } from './balancer.ts';
import type { ManagedProcess } from './managed-process.ts';
import type { PodSpec } from './pod-spec.ts';
import type { ServiceImage } from './images.ts';
import { serviceUrl, startServiceProcess, type PlatformWiring, type ServiceName, type ServicePorts } from './services.ts';
import { freePort, GiveUp, sleep, waitFor } from './wait.ts';

export type ReplicaState = 'starting' | 'ready' | 'terminating' | 'restarting' | 'stopped';

/** What `./platform ps` shows of a replica. */
export interface ReplicaInfo {
  service: ServiceName;
  name: string;
  version: string;
  pid: number | undefined;
  port: number;
  managementPort: number;
  /** In rotation: the balancer routes to it (its readiness checks pass and it is not terminating). */
  ready: boolean;
  state: ReplicaState;
  restarts: number;
}

interface Replica {
  name: string;
  image: ServiceImage;
  ports: ServicePorts;
  process?: ManagedProcess;
  state: ReplicaState;
  restarts: number;
}

export interface DeploymentContext {
  wiring: PlatformWiring;
  balancer: Balancer;
  spec: PodSpec;
  /** Log file of a replica (by its name), or 'inherit'. */
  outputFor: (replica: string) => string | 'inherit';
  log: (line: string) => void;
}

/** A crashed replica comes back after this, doubling for one that keeps crashing (Kubernetes waits 10 s first). */
const RESTART_BACKOFF_MS = { first: 1_000, max: 30_000 };
const READY_TIMEOUT_MS = 60_000;

/**
 * One service's replicas behind its balancer, run the way a Kubernetes Deployment runs pods: each
 * on ports of its own, in rotation once its readiness probe first succeeds, restarted when it
 * exits, taken out of rotation before it is stopped (preStop), replaced one at a time on a roll
 * (the manifests' maxSurge and maxUnavailable).
 */
export class ServiceDeployment {
  readonly service: ServiceName;
  private readonly context: DeploymentContext;
  private readonly replicas: Replica[] = [];
  private sequence = 0;
  private stopping = false;

  constructor(service: ServiceName, context: DeploymentContext) {
    this.service = service;
    this.context = context;
  }

  /** The image most replicas run (the newest once a roll has begun). */
  get image(): ServiceImage | undefined {
    return this.replicas.at(-1)?.image;
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Starts replicas of `image` until `count` run, all ready. */
  async scaleTo(count: number, image: ServiceImage): Promise<void> {
    const starting: Promise<Replica>[] = [];
    for (let i = this.replicas.length; i < count; i++) starting.push(this.startReplica(image));
    await Promise.all(starting);
    while (this.replicas.length > count) await this.terminate(this.replicas[0]);
  }

  /**
   * The rolling update: one surge replica of `image`, ready and in rotation, then one old replica
   * terminated; again until none of the old ones is left. Resolves with the old replicas' exit codes.
   */
  async roll(image: ServiceImage): Promise<{ replaced: number; exitCodes: (number | null)[] }> {
    const old = this.replicas.filter((replica) => replica.image !== image);
    const { maxSurge, maxUnavailable } = this.context.spec;
    if (maxSurge < 1 && maxUnavailable < 1) throw new Error('a rolling update needs maxSurge or maxUnavailable above 0');
    const exitCodes: (number | null)[] = [];
    for (const replica of old) {
      if (maxSurge > 0) await this.startReplica(image);
      exitCodes.push(await this.terminate(replica));
      if (maxSurge === 0) await this.startReplica(image);
    }
    return { replaced: old.length, exitCodes };
  }

  async list(): Promise<ReplicaInfo[]> {
    const statuses = await this.context.balancer.statuses().catch(() => new Map<string, string>());
    return this.replicas.map((replica) => ({
      service: this.service,
      name: replica.name,
      version: replica.image.version,
      pid: replica.process?.pid,
      port: replica.ports.http,
      managementPort: replica.ports.management,
      ready: statuses.get(`${this.service}/${replica.name}`) === 'UP' && replica.state === 'ready',
      state: replica.state,
      restarts: replica.restarts,
    }));
  }

  /** A replica's process, by position (0 is the oldest). */
  process(index = 0): ManagedProcess {
    const child = this.replicas[index]?.process;
    if (!child) throw new Error(`${this.service} has no replica ${index}`);
    return child;
  }

  replicaUrls(index = 0): { url: string; managementUrl: string } {
    const replica = this.replicas[index];
    if (!replica) throw new Error(`${this.service} has no replica ${index}`);
    return { url: `http://127.0.0.1:${replica.ports.http}`, managementUrl: `http://127.0.0.1:${replica.ports.management}` };
  }

  /** SIGKILL one replica, as a crash: the deployment starts it again. */
  async kill(index: number): Promise<void> {
    const child = this.replicas[index]?.process;
    if (!child) throw new Error(`${this.service} has no replica ${index}`);
    await child.kill();
  }

  /** Terminates every replica (preStop, SIGTERM, grace), all at once; resolves with their exit codes. */
  async stop(): Promise<(number | null)[]> {
    this.stopping = true;
    return Promise.all([...this.replicas].map((replica) => this.terminate(replica)));
  }

  private async startReplica(image: ServiceImage): Promise<Replica> {
    const replica: Replica = {
      name: `${this.service}-${++this.sequence}`,
      image,
      ports: { http: await freePort(), management: await freePort() },
      state: 'starting',
      restarts: 0,
    };
    this.replicas.push(replica);
    await this.context.balancer.add(this.service, replica.name, replica.ports.http);
    await this.run(replica);
    return replica;
  }

  /** Starts the replica's process, waits for its first readiness success, puts it in rotation. */
  private async run(replica: Replica): Promise<void> {
    const { wiring, spec } = this.context;
    const own: PlatformWiring = {
      ...wiring,
      ports: { ...wiring.ports, [this.service]: replica.ports },
      extraEnv: { ...wiring.extraEnv, [this.service]: { ...spec.shutdownEnv, ...wiring.extraEnv?.[this.service] } },
    };
    const child = startServiceProcess(this.service, own, this.context.outputFor(replica.name), replica.image, replica.name);
    replica.process = child;
    void child.exited.then((code) => this.exited(replica, child, code));
    await waitFor(`${replica.name} to be ready`, async () => {
      if (!child.isRunning) throw new GiveUp(`${replica.name} exited with code ${await child.exited} (see its log)`);
      const response = await fetch(`${serviceUrl(own, this.service)}${spec.readiness.path}`).catch(() => undefined);
      return response?.status === 200;
    }, READY_TIMEOUT_MS, 100);
    if (replica.state !== 'starting' && replica.state !== 'restarting') return;
    replica.state = 'ready';
    await this.context.balancer.enable(this.service, replica.name);
  }

  /** A replica that exits on its own is started again on the same ports, after a backoff. */
  private async exited(replica: Replica, child: ManagedProcess, code: number | null): Promise<void> {
    if (replica.process !== child || replica.state === 'terminating' || replica.state === 'stopped' || this.stopping) return;
    replica.state = 'restarting';
    replica.restarts++;
    this.context.log(`${replica.name} exited (${code ?? 'killed'}); restarting it`);
    await this.context.balancer.disable(this.service, replica.name).catch(() => undefined);
    await sleep(Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.first * 2 ** (replica.restarts - 1)));
    if (replica.state !== 'restarting' || this.stopping) return;
    await this.run(replica).catch((error: unknown) => this.context.log(`${replica.name} did not come back: ${(error as Error).message}`));
  }

  /**
   * As the kubelet stops a pod: out of rotation first (its endpoint goes), the preStop sleep while
   * the balancers notice, then SIGTERM (readiness fails, in-flight work finishes, consumers leave
   * their group), SIGKILL past the grace period. Resolves with the exit code.
   */
  private async terminate(replica: Replica): Promise<number | null> {
    const { spec, balancer } = this.context;
    replica.state = 'terminating';
    await balancer.disable(this.service, replica.name).catch(() => undefined);
    await sleep(spec.preStopSeconds * 1000);
    const code = (await replica.process?.stop((spec.terminationGracePeriodSeconds - spec.preStopSeconds) * 1000)) ?? null;
    replica.state = 'stopped';
    this.replicas.splice(this.replicas.indexOf(replica), 1);
    // In maintenance it gets no traffic; HAProxy lets it go once its last pooled connection has.
    void balancer.remove(this.service, replica.name).catch((error: unknown) => this.context.log(`${replica.name}: ${(error as Error).message}`));
    return code;
  }
}
