import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';
import { parse, parseAllDocuments } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

export const SERVICES = ['gateway', 'user-service', 'order-service', 'notification-service'] as const;
export const WITH_DATABASE = ['user-service', 'order-service', 'notification-service'];
export const OVERLAYS = ['overlays/dev', 'overlays/prod'];

/** `kubectl kustomize` of a directory (relative to `k8s/` of the repo, or absolute). */
export function render(kustomization: string, root = join(REPO_ROOT, 'k8s')): Manifest[] {
  const yaml = execFileSync('kubectl', ['kustomize', kustomization.startsWith('/') ? kustomization : join(root, kustomization)], { encoding: 'utf8' });
  return parseAllDocuments(yaml).map((document) => document.toJSON() as Manifest).filter(Boolean);
}

type Model = new (data: unknown) => { validate(): void };

/** Where the schema model of an API group lives: core APIs, and the CRDs of the operators we use. */
const CRD_MODELS: [suffix: string, module: string][] = [
  ['strimzi.io', '@kubernetes-models/strimzi-kafka-operator'],
  ['cnpg.io', '@kubernetes-models/cloudnative-pg'],
  ['monitoring.coreos.com', '@kubernetes-models/prometheus-operator'],
  ['argoproj.io', '@kubernetes-models/argo-cd'],
  ['external-secrets.io', '@kubernetes-models/external-secrets'],
  ['gateway.networking.k8s.io', '@kubernetes-models/gateway-api'],
];

/** The schema model of a Kubernetes object, or undefined when none is known. */
export async function modelFor(object: Manifest): Promise<Model | undefined> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const crd = CRD_MODELS.find(([suffix]) => group.endsWith(suffix));
  const specifier = crd ? `${crd[1]}/${group}/${version}` : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const module = (await import(specifier)) as Record<string, Model>;
  return module[object.kind];
}

/** Validation problems of each object ("Kind name: message"), empty when all validate. */
export async function schemaProblems(objects: Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const Model = await modelFor(object);
    if (!Model) {
      problems.push(`${object.apiVersion} ${object.kind} ${object.metadata.name}: no schema to validate it against`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message.slice(0, 400)}`);
    }
  }
  return problems;
}

export const byKindAndName = (objects: Manifest[]) => new Map(objects.map((object) => [`${object.kind}/${object.metadata.name}`, object]));

/** The version a service runs in Kubernetes: `version` of k8s/apps/<service>/release.yaml. */
export const releaseVersion = (service: string): string => parse(readFileSync(join(REPO_ROOT, 'k8s', 'apps', service, 'release.yaml'), 'utf8')).data.version;

/** The version its source builds: apps/<service>/package.json. */
export const packageVersion = (service: string): string => JSON.parse(readFileSync(join(REPO_ROOT, 'apps', service, 'package.json'), 'utf8')).version;

/** Semantic-version order (a pre-release sorts before its release): negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => {
    const [core, pre] = version.split('-', 2);
    return { numbers: core.split('.').map(Number), pre };
  };
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index++) if (x.numbers[index] !== y.numbers[index]) return x.numbers[index] - y.numbers[index];
  if (x.pre === y.pre) return 0;
  return x.pre === undefined ? 1 : y.pre === undefined ? -1 : x.pre.localeCompare(y.pre);
}
