import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { REPO_ROOT } from './paths.ts';
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from './services.ts';
import { GiveUp, isPortOpen, waitFor } from './wait.ts';

/** The scrape config the docs give (local default ports); copied with the real ports at start. */
export const PROMETHEUS_CONFIG = join(REPO_ROOT, 'tools', 'prometheus', 'prometheus.yml');

export interface PrometheusOptions {
  port: number;
  /** Management port of each service. */
  managementPorts: Record<ServiceName, number>;
  /** Config copy and TSDB. */
  dataDir: string;
  output: string | 'inherit';
  /** Seconds between scrapes (the config file says 15). */
  scrapeIntervalSeconds?: number;
  /**
   * Balanced mode: scrape the targets this file lists (Prometheus' file service discovery, JSON,
   * reread every 5 s) instead of one management port per service; the platform rewrites it as
   * replicas come and go, as the PodMonitors follow pods in Kubernetes.
   */
  targetsFile?: string;
}

export interface PrometheusServer {
  readonly url: string;
  readonly process: ManagedProcess;
}

/**
 * The directory with `prometheus` and `promtool` from Debian's `prometheus` package, fetched into
 * .cache/prometheus on first use by tools/prometheus/ensure-prometheus.sh (as Kafka's jars are).
 */
export function ensurePrometheus(): string {
  return execFileSync(join(REPO_ROOT, 'tools', 'prometheus', 'ensure-prometheus.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** tools/prometheus/prometheus.yml with each default management port replaced by the real one (or its targets in a file). */
export function prometheusConfig(options: Pick<PrometheusOptions, 'managementPorts' | 'scrapeIntervalSeconds' | 'targetsFile'>): string {
  let config = readFileSync(PROMETHEUS_CONFIG, 'utf8');
  if (options.targetsFile) {
    if (!/^ {4}static_configs:$/m.test(config)) throw new Error(`${PROMETHEUS_CONFIG} has no static_configs to replace`);
    config = config.replace(/^ {4}static_configs:\n[\s\S]*$/m, `    file_sd_configs:\n      - files: ["${options.targetsFile}"]\n        refresh_interval: 5s\n`);
  }
  for (const service of options.targetsFile ? [] : SERVICE_NAMES) {
    const target = `"127.0.0.1:${DEFAULT_PORTS[service].management}"`;
    if (!config.includes(target)) throw new Error(`${PROMETHEUS_CONFIG} has no target ${target} for ${service}`);
    config = config.replace(target, `"127.0.0.1:${options.managementPorts[service]}"`);
  }
  if (options.scrapeIntervalSeconds) config = config.replace(/^(\s+scrape_interval:) \S+$/m, `$1 ${options.scrapeIntervalSeconds}s`);
  return config;
}

/** Starts Prometheus on 127.0.0.1 scraping every service's management port; resolves once it is ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const bin = ensurePrometheus();
  if (await isPortOpen(options.port)) throw new Error(`port ${options.port} is taken; is another Prometheus running? (set PROMETHEUS_PORT)`);
  mkdirSync(join(options.dataDir, 'data'), { recursive: true });
  const configFile = join(options.dataDir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(options));
  const server = new ManagedProcess({
    name: 'prometheus',
    command: join(bin, 'prometheus'),
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${join(options.dataDir, 'data')}`, `--web.listen-address=127.0.0.1:${options.port}`, '--log.level=warn'],
    output: options.output,
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor(`Prometheus on port ${options.port}`, async () => {
    if (!server.isRunning) throw new GiveUp(`Prometheus exited with code ${await server.exited} (see its log)`);
    return (await fetch(`${url}/-/ready`)).ok;
  }, 30_000, 200);
  return { url, process: server };
}

/** Writes Prometheus' file-discovery targets: each replica's management port, labelled with its service (`app`). */
export function writeScrapeTargets(file: string, replicas: { service: string; managementPort: number }[]): void {
  const groups = replicas.map((replica) => ({ targets: [`127.0.0.1:${replica.managementPort}`], labels: { app: replica.service } }));
  writeFileSync(`${file}.tmp`, JSON.stringify(groups));
  renameSync(`${file}.tmp`, file);
}
