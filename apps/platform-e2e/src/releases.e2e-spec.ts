import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseOptions, dropDatabase, REPO_ROOT, serviceDatabaseUrl, setupDatabase, sleep } from '@platform/local-platform';
import { parse } from 'yaml';
import { byKindAndName, compareVersions, type Manifest, OVERLAYS, packageVersion, releaseVersion, render, SERVICES, WITH_DATABASE } from './support/kubernetes';

const deployment = (objects: Manifest[], service: string) => objects.find((object) => object.kind === 'Deployment' && object.metadata.name === service)!;
const imageTag = (image: string) => image.slice(image.lastIndexOf(':') + 1);

/** Renders every overlay from a copy of k8s/ in which `service`'s release.yaml says `version`. */
function renderWithRelease(service: string, version: string): Map<string, Manifest[]> {
  const copy = mkdtempSync(join(tmpdir(), 'k8s-release-'));
  try {
    cpSync(join(REPO_ROOT, 'k8s'), copy, { recursive: true });
    const file = join(copy, 'apps', service, 'release.yaml');
    const text = readFileSync(file, 'utf8');
    const bumped = text.replace(/^(\s+version:\s*).*$/m, `$1${version}`);
    expect(bumped).not.toBe(text);
    writeFileSync(file, bumped);
    return new Map(OVERLAYS.map((overlay) => [overlay, render(overlay, copy)]));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('per-service releases', () => {
  const rendered = new Map<string, Manifest[]>();
  beforeAll(() => {
    for (const overlay of OVERLAYS) rendered.set(overlay, render(overlay));
    for (const service of SERVICES) rendered.set(`apps/${service}`, render(`apps/${service}`));
  });

  it.each(SERVICES)('%s runs the version decided in k8s/apps/<service>/release.yaml, everywhere', (service) => {
    const version = releaseVersion(service);
    for (const where of [`apps/${service}`, ...OVERLAYS]) {
      const pod = deployment(rendered.get(where)!, service).spec.template;
      expect({ where, tag: imageTag(pod.spec.containers[0].image), label: pod.metadata.labels['app.kubernetes.io/version'] }).toEqual({ where, tag: version, label: version });
    }
  });

  it.each(SERVICES)('%s never runs a version its source has not reached: release.yaml is package.json\'s version, or the one before while its release pull request is pending', (service) => {
    expect({ service, release: releaseVersion(service), notAhead: compareVersions(releaseVersion(service), packageVersion(service)) <= 0 }).toEqual({ service, release: releaseVersion(service), notAhead: true });
    expect(compareVersions('1.4.0', '1.10.0')).toBeLessThan(0);
    expect(compareVersions('1.4.0-rc.1', '1.4.0')).toBeLessThan(0);
    expect(compareVersions('2.0.0', '1.9.9')).toBeGreaterThan(0);
  });

  it.each(OVERLAYS)('%s changes environment only: no image, tag or version anywhere in the overlay', (overlay) => {
    const kustomization = parse(readFileSync(join(REPO_ROOT, 'k8s', overlay, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.images).toBeUndefined();
    const text = JSON.stringify(kustomization.patches ?? []);
    expect(text).not.toMatch(/image|newTag|app\.kubernetes\.io\/version|SERVICE_VERSION/);
  });

  it('bumping one service in its directory changes, in every overlay, only that service\'s Deployment and migration Job', () => {
    const service = 'order-service';
    const before = releaseVersion(service);
    const after = renderWithRelease(service, '1.4.0');
    for (const overlay of OVERLAYS) {
      const old = byKindAndName(rendered.get(overlay)!);
      const bumped = byKindAndName(after.get(overlay)!);
      const changed = [...new Set([...old.keys(), ...bumped.keys()])].filter((key) => JSON.stringify(old.get(key)) !== JSON.stringify(bumped.get(key))).sort();
      expect({ overlay, changed }).toEqual({ overlay, changed: [`Deployment/${service}`, `Job/${service}-migrate-1.4.0`, `Job/${service}-migrate-${before}`].sort() });
      expect(bumped.has(`Job/${service}-migrate-${before}`)).toBe(false);
      const pod = bumped.get(`Deployment/${service}`)!.spec.template;
      const images = [...pod.spec.initContainers, ...pod.spec.containers].map((each: { image: string }) => imageTag(each.image));
      expect({ overlay, images, label: pod.metadata.labels['app.kubernetes.io/version'] }).toEqual({ overlay, images: ['1.4.0', '1.4.0'], label: '1.4.0' });
      expect(imageTag(bumped.get(`Job/${service}-migrate-1.4.0`)!.spec.template.spec.containers[0].image)).toBe('1.4.0');
    }
  });

  it.each(WITH_DATABASE)('%s: each version migrates in its own Job, and new pods wait until the schema has every migration of their image', (service) => {
    const objects = rendered.get('overlays/prod')!;
    const version = releaseVersion(service);
    const job = objects.find((object) => object.kind === 'Job' && object.metadata.name === `${service}-migrate-${version}`)!;
    expect(job).toBeDefined();
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    const pod = deployment(objects, service).spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const [wait] = pod.initContainers;
    // The image the pod will run, asking migrate.js whether migrations are pending (exit 2 while they are).
    expect(wait.image).toBe(pod.containers[0].image);
    expect(wait.image).toBe(job.spec.template.spec.containers[0].image);
    expect(wait.command.join(' ')).toMatch(/until node migrate\.js show; do sleep \d+; done/);
    expect(wait.env).toEqual(job.spec.template.spec.containers[0].env);
    // No replicas stop serving before the new ones are ready: a waiting pod stalls the rollout, which
    // then fails after its progress deadline.
    const strategy = deployment(objects, service).spec.strategy.rollingUpdate;
    expect(strategy.maxUnavailable).toBe(0);
    expect(deployment(objects, service).spec.progressDeadlineSeconds).toBeGreaterThan(0);
  });

  it.each(SERVICES)('%s\'s directory holds only what is its own; the shared objects come from the platform-service component', (service) => {
    const dir = join(REPO_ROOT, 'k8s', 'apps', service);
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.components[0]).toBe('../../components/platform-service');
    const own = (kustomization.resources as string[]).map((file) => parse(readFileSync(join(dir, file), 'utf8'))?.kind as string);
    expect(own.filter((kind) => ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount', 'Job', 'PodMonitor'].includes(kind))).toEqual([]);
    const lines = (kustomization.resources as string[]).concat('kustomization.yaml').reduce((total, file) => total + readFileSync(join(dir, file), 'utf8').split('\n').length, 0);
    expect(lines).toBeLessThan(120);
  });

  it('runs the Kafka version compose and the tests run', () => {
    const pom = readFileSync(join(REPO_ROOT, 'tools', 'kafka', 'pom.xml'), 'utf8');
    const tested = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)![1];
    const kafka = render('infra').find((object) => object.kind === 'Kafka')!;
    expect(kafka.spec.kafka.version).toBe(tested);
    expect(kafka.spec.kafka.metadataVersion).toMatch(new RegExp(`^${tested.split('.').slice(0, 2).join('\\.')}-IV\\d+$`));
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
    expect(compose.services.kafka.image).toBe(`apache/kafka:${tested}`);
  });

  describe('wait-for-schema, run the way the pod runs it', () => {
    const database: DatabaseOptions = {
      host: process.env['PGHOST'] ?? '127.0.0.1',
      port: Number(process.env['PGPORT'] ?? 5432),
      name: `e2e_releases_${process.pid}_${Date.now().toString(36)}`,
      adminUser: process.env['PGUSER'] ?? 'postgres',
      passwords: { 'user-service': 'e2e-user', 'order-service': 'e2e-order', 'notification-service': 'e2e-notification' },
    };
    beforeAll(() => setupDatabase(database));
    afterAll(() => dropDatabase(database));

    it('holds a new pod back while its release\'s migrations are pending, and lets it start once the Job ran them', async () => {
      const service = 'order-service';
      const objects = rendered.get('overlays/prod')!;
      const [wait] = deployment(objects, service).spec.template.spec.initContainers;
      const job = objects.find((object) => object.kind === 'Job' && object.metadata.name === `${service}-migrate-${releaseVersion(service)}`)!;
      // The image's working directory holds the bundle: dist/apps/<service> here.
      const cwd = join(REPO_ROOT, 'dist', 'apps', service);
      const env = { PATH: process.env['PATH'], DATABASE_URL: serviceDatabaseUrl(database, service) };
      const [command, ...args] = wait.command as string[];

      const waiting = spawn(command, args, { cwd, env, detached: true, stdio: 'ignore' });
      await sleep(4_000);
      const stillWaiting = waiting.exitCode === null;
      process.kill(-waiting.pid!, 'SIGKILL');
      expect(stillWaiting).toBe(true);

      const [jobCommand, ...jobArgs] = job.spec.template.spec.containers[0].command as string[];
      expect(execFileSync(jobCommand, jobArgs, { cwd, env, encoding: 'utf8' })).toMatch(/applied: /);

      const started = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 20_000 });
      expect({ status: started.status, output: started.stdout.trim() }).toEqual({ status: 0, output: 'schema is up to date' });
    });
  });
});
