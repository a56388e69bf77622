import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './paths.ts';

export interface ReadinessProbe {
  path: string;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
}

/** How Kubernetes runs, checks, replaces and stops a replica: read from the manifests, never restated. */
export interface PodSpec {
  readiness: ReadinessProbe;
  preStopSeconds: number;
  terminationGracePeriodSeconds: number;
  maxSurge: number;
  maxUnavailable: number;
  /** The shared settings the pods get about shutting down (SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS). */
  shutdownEnv: Record<string, string>;
}

interface Probe {
  httpGet: { path: string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

const DEPLOYMENT = join(REPO_ROOT, 'k8s', 'components', 'platform-service', 'deployment.yaml');
const SHARED_SETTINGS = join(REPO_ROOT, 'k8s', 'components', 'platform-service', 'shared.env');

/** The settings file a ConfigMap is generated from: KEY=VALUE lines, # comments. */
function readEnvFile(file: string): Record<string, string> {
  const entries = readFileSync(file, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  return Object.fromEntries(entries.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** The Deployment every service shares (k8s/components/platform-service) and the settings every service gets. */
export function podSpecFromManifests(): PodSpec {
  const deployment = parse(readFileSync(DEPLOYMENT, 'utf8'));
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const probe = container.readinessProbe as Probe;
  const shared = readEnvFile(SHARED_SETTINGS);
  const strategy = deployment.spec.strategy.rollingUpdate;
  return {
    // Kubernetes' defaults where the manifest leaves one out.
    readiness: {
      path: probe.httpGet.path,
      periodSeconds: probe.periodSeconds ?? 10,
      timeoutSeconds: probe.timeoutSeconds ?? 1,
      failureThreshold: probe.failureThreshold ?? 3,
      successThreshold: probe.successThreshold ?? 1,
    },
    preStopSeconds: container.lifecycle?.preStop?.sleep?.seconds ?? 0,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    maxSurge: Number(strategy?.maxSurge ?? 1),
    maxUnavailable: Number(strategy?.maxUnavailable ?? 0),
    shutdownEnv: { SHUTDOWN_DELAY_MS: shared['SHUTDOWN_DELAY_MS'], SHUTDOWN_TIMEOUT_MS: shared['SHUTDOWN_TIMEOUT_MS'] },
  };
}
