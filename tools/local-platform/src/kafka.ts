import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { CACHE_DIR, REPO_ROOT } from './paths.ts';
import { GiveUp, isPortOpen, waitFor } from './wait.ts';

const KAFKA_TOOLS = join(REPO_ROOT, 'tools', 'kafka');
const POM = join(KAFKA_TOOLS, 'pom.xml');
export const KAFKA_LIBS = join(CACHE_DIR, 'kafka', 'libs');

export interface KafkaOptions {
  port: number;
  controllerPort: number;
  /** Broker data; formatted on first start, kept across restarts of the same broker. */
  dataDir: string;
  output: string | 'inherit';
  heapMb?: number;
}

export interface KafkaBroker {
  readonly brokers: string;
  readonly process: ManagedProcess;
  readonly options: KafkaOptions;
}

/** Fetches the broker jars from Maven Central once (again only when pom.xml changes). */
export function ensureKafkaJars(): void {
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex');
  const marker = join(KAFKA_LIBS, '.pom-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pomHash) return;
  const staging = `${KAFKA_LIBS}.partial`;
  rmSync(staging, { recursive: true, force: true });
  console.log('fetching Apache Kafka jars from Maven Central (first run only)…');
  execFileSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'], { stdio: 'inherit' });
  rmSync(KAFKA_LIBS, { recursive: true, force: true });
  renameSync(staging, KAFKA_LIBS);
  writeFileSync(marker, pomHash);
}

const BROKER_MAIN = 'kafka.Kafka';

/**
 * The broker's JVM. The heap is fixed and touched at start (`-Xms` = `-Xmx`, AlwaysPreTouch), as
 * Kafka's own start script and Strimzi's guidance fix it: a heap that grows on demand makes the
 * broker's RSS climb for its first hour, which hides a real leak in the rehearsal's soak.
 */
function javaArgs(options: KafkaOptions, mainClass: string, args: string[]): string[] {
  const heapMb = options.heapMb ?? 512;
  // The storage tool formats a directory and exits: it needs no broker's heap.
  const heap = mainClass === BROKER_MAIN ? [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, '-XX:+AlwaysPreTouch'] : ['-Xmx128m'];
  return [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(KAFKA_TOOLS, 'log4j2.yaml')}`,
    '-cp',
    `${KAFKA_LIBS}/*`,
    mainClass,
    ...args,
  ];
}

function writeServerProperties(options: KafkaOptions, template = 'server.properties', extra: Record<string, string> = {}): string {
  const text = readFileSync(join(KAFKA_TOOLS, template), 'utf8');
  const values: Record<string, string> = { PORT: String(options.port), CONTROLLER_PORT: String(options.controllerPort), DATA_DIR: join(options.dataDir, 'log'), ...extra };
  const rendered = text.replace(/\$\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
  const file = join(options.dataDir, 'server.properties');
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(file, rendered);
  return file;
}

/** Starts a single-node KRaft broker with the machine's Java and waits until it accepts connections. */
export async function startKafka(options: KafkaOptions): Promise<KafkaBroker> {
  ensureKafkaJars();
  if (await isPortOpen(options.port)) throw new Error(`port ${options.port} is taken; is another Kafka running? (set KAFKA_BROKERS to use it)`);
  const properties = writeServerProperties(options);
  if (!existsSync(join(options.dataDir, 'log', 'meta.properties'))) {
    // `--cluster-id=<id>`: a random id may start with '-', which the tool would read as an option.
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync('java', javaArgs(options, 'kafka.tools.StorageTool', ['format', `--cluster-id=${clusterId}`, '--config', properties, '--standalone', '--ignore-formatted']), {
      stdio: 'ignore',
    });
  }
  const broker = new ManagedProcess({ name: 'kafka', command: 'java', args: javaArgs(options, BROKER_MAIN, [properties]), output: options.output });
  await waitFor(`Kafka on port ${options.port}`, async () => {
    if (!broker.isRunning) throw new GiveUp(`Kafka exited with code ${await broker.exited} (see its log)`);
    return isPortOpen(options.port);
  }, 60_000, 200);
  return { brokers: `127.0.0.1:${options.port}`, process: broker, options };
}

export interface KafkaNode {
  readonly id: number;
  readonly options: KafkaOptions;
  process: ManagedProcess;
}

/**
 * Three KRaft nodes, each broker and controller (Strimzi's dual-role node pool of k8s/infra/kafka),
 * replication factor 3 and min.insync.replicas 2 (tools/kafka/cluster.properties): an acknowledged
 * write is on two nodes, and losing one loses nothing. A node can be killed and started again.
 */
export class KafkaCluster {
  readonly nodes: KafkaNode[];

  private constructor(nodes: KafkaNode[]) {
    this.nodes = nodes;
  }

  get brokers(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.options.port}`).join(',');
  }

  static async start(options: { ports: { port: number; controllerPort: number }[]; dataDir: string; output: (node: number) => string | 'inherit'; heapMb?: number }): Promise<KafkaCluster> {
    ensureKafkaJars();
    const voters = options.ports.map((ports, index) => `${index + 1}@127.0.0.1:${ports.controllerPort}`).join(',');
    const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
    const nodes: KafkaNode[] = [];
    for (const [index, ports] of options.ports.entries()) {
      const id = index + 1;
      if (await isPortOpen(ports.port)) throw new Error(`port ${ports.port} is taken`);
      const nodeOptions: KafkaOptions = { ...ports, dataDir: join(options.dataDir, `node-${id}`), output: options.output(id), heapMb: options.heapMb ?? 384 };
      const properties = writeServerProperties(nodeOptions, 'cluster.properties', { NODE_ID: String(id), VOTERS: voters });
      execFileSync('java', javaArgs(nodeOptions, 'kafka.tools.StorageTool', ['format', `--cluster-id=${clusterId}`, '--config', properties, '--ignore-formatted']), { stdio: 'ignore' });
      nodes.push({ id, options: nodeOptions, process: KafkaCluster.spawn(nodeOptions) });
    }
    const cluster = new KafkaCluster(nodes);
    await Promise.all(nodes.map((node) => cluster.waitUntilListening(node)));
    return cluster;
  }

  private static spawn(options: KafkaOptions): ManagedProcess {
    return new ManagedProcess({ name: `kafka-${options.port}`, command: 'java', args: javaArgs(options, BROKER_MAIN, [join(options.dataDir, 'server.properties')]), output: options.output });
  }

  node(id: number): KafkaNode {
    const node = this.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no Kafka node ${id}`);
    return node;
  }

  /** SIGKILL: the node is gone, as a pod whose node died. */
  async kill(id: number): Promise<void> {
    await this.node(id).process.kill();
  }

  /** Starts a node again with its data (a pod rescheduled with its volume). */
  async restart(id: number): Promise<void> {
    const node = this.node(id);
    if (node.process.isRunning) await node.process.stop(30_000);
    node.process = KafkaCluster.spawn(node.options);
    await this.waitUntilListening(node);
  }

  /** The node leading the controller quorum, from a running node's quorum state (KRaft writes it to disk). */
  activeController(): number {
    for (const node of this.nodes.filter((candidate) => candidate.process.isRunning)) {
      const file = join(node.options.dataDir, 'log', '__cluster_metadata-0', 'quorum-state');
      if (!existsSync(file)) continue;
      const state = JSON.parse(readFileSync(file, 'utf8')) as { leaderId?: number };
      if (state.leaderId && state.leaderId > 0) return state.leaderId;
    }
    throw new Error('no running Kafka node knows the active controller');
  }

  pause(): void {
    for (const node of this.nodes) node.process.pause();
  }

  resume(): void {
    for (const node of this.nodes) node.process.resume();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.process.stop(30_000)));
  }

  private async waitUntilListening(node: KafkaNode): Promise<void> {
    await waitFor(`Kafka node ${node.id} on port ${node.options.port}`, async () => {
      if (!node.process.isRunning) throw new GiveUp(`Kafka node ${node.id} exited with code ${await node.process.exited} (see its log)`);
      return isPortOpen(node.options.port);
    }, 90_000, 200);
  }
}
