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

function javaArgs(options: KafkaOptions, mainClass: string, args: string[]): string[] {
  return [
    `-Xms${Math.min(256, options.heapMb ?? 512)}m`,
    `-Xmx${options.heapMb ?? 512}m`,
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

function writeServerProperties(options: KafkaOptions): string {
  const template = readFileSync(join(KAFKA_TOOLS, 'server.properties'), 'utf8');
  const values: Record<string, string> = { PORT: String(options.port), CONTROLLER_PORT: String(options.controllerPort), DATA_DIR: join(options.dataDir, 'log') };
  const rendered = template.replace(/\$\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
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
  const broker = new ManagedProcess({ name: 'kafka', command: 'java', args: javaArgs(options, 'kafka.Kafka', [properties]), output: options.output });
  await waitFor(`Kafka on port ${options.port}`, async () => {
    if (!broker.isRunning) throw new GiveUp(`Kafka exited with code ${await broker.exited} (see its log)`);
    return isPortOpen(options.port);
  }, 60_000, 200);
  return { brokers: `127.0.0.1:${options.port}`, process: broker, options };
}
