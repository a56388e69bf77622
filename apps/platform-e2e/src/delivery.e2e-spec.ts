import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@platform/local-platform';
import { parse } from 'yaml';
import { type Manifest, releaseVersion, render, schemaProblems, SERVICES } from './support/kubernetes';

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const workflow = (name: string) => parse(readFileSync(join(WORKFLOWS, name), 'utf8'));
const steps = (definition: any) => Object.values(definition.jobs).flatMap((job: any) => job.steps ?? []);
const runs = (definition: any) => steps(definition).map((step: any) => step.run ?? '').join('\n');

function validateWorkflow(file: string): { status: number | null; output: string } {
  const run = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'action-validator'), [file], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A copy of k8s/ to change and render, removed afterwards. */
function withCopy<T>(change: (root: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'k8s-delivery-'));
  try {
    cpSync(join(REPO_ROOT, 'k8s'), root, { recursive: true });
    return change(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const setRelease = (root: string, ...args: string[]) =>
  spawnSync(join(REPO_ROOT, 'tools', 'delivery', 'set-release.sh'), args, { encoding: 'utf8', env: { ...process.env, K8S_ROOT: root } });

describe('delivery as code', () => {
  describe('GitHub Actions workflows', () => {
    it.each(readdirSync(WORKFLOWS))('%s passes the workflow schema validator', (file) => {
      expect(validateWorkflow(join(WORKFLOWS, file))).toEqual({ status: 0, output: expect.any(String) });
    });

    it('the validator rejects a broken workflow (the control case)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'workflow-'));
      try {
        writeFileSync(join(dir, 'broken.yml'), 'on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v5\n        with: 3\n');
        expect(validateWorkflow(join(dir, 'broken.yml')).status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('CI runs the README\'s test command on every pull request and push to main', () => {
      const ci = workflow('ci.yml');
      expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
      expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toMatch(/^exec \.\/platform test$/m);
      expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('./platform test');
      expect(runs(ci)).toMatch(/^\.ci\/run$/m);
      expect(runs(ci)).toContain('action-validator');
    });

    it('delivery builds and pushes only affected services, tagged with version and commit, and bumps their release.yaml', () => {
      const delivery = workflow('delivery.yml');
      expect(delivery.on.push.branches).toEqual(['main']);
      const script = runs(delivery);
      expect(script).toMatch(/nx show projects --affected/);
      expect(delivery.jobs.image.strategy.matrix.service).toBe('${{ fromJSON(needs.affected.outputs.services) }}');
      expect(script).toMatch(/-f tools\/docker\/Dockerfile --build-arg APP="\$SERVICE" --build-arg SERVICE_VERSION="\$VERSION"/);
      expect(script).toContain('$image:$VERSION-${GITHUB_SHA::7}');
      expect(script).toMatch(/tools\/delivery\/set-release\.sh "\$\{\{ matrix\.service \}\}" "\$\{\{ steps\.version\.outputs\.version \}\}"/);
      const pullRequest = steps(delivery).find((step: any) => String(step.uses).startsWith('peter-evans/create-pull-request'));
      expect(pullRequest.with['add-paths']).toBe('k8s/apps/${{ matrix.service }}/release.yaml');
    });
  });

  describe('tools/delivery/set-release.sh', () => {
    it('sets one service\'s version in its release.yaml, which every overlay then runs', () =>
      withCopy((root) => {
        const run = setRelease(root, 'notification-service', '2.3.0');
        expect(run.status).toBe(0);
        expect(parse(readFileSync(join(root, 'apps', 'notification-service', 'release.yaml'), 'utf8')).data.version).toBe('2.3.0');
        const objects = render('overlays/prod', root);
        const images = objects.filter((object) => object.kind === 'Deployment' && object.metadata.labels?.['app.kubernetes.io/component'] === 'service').map((object) => `${object.metadata.name} ${object.spec.template.spec.containers[0].image.split(':')[1]}`);
        expect(images.sort()).toEqual(SERVICES.map((service) => `${service} ${service === 'notification-service' ? '2.3.0' : releaseVersion(service)}`).sort());
        expect(objects.some((object) => object.kind === 'Job' && object.metadata.name === 'notification-service-migrate-2.3.0')).toBe(true);
      }));

    it('refuses an unknown service or a malformed version, and changes nothing', () =>
      withCopy((root) => {
        const before = readFileSync(join(root, 'apps', 'order-service', 'release.yaml'), 'utf8');
        expect(setRelease(root, 'order-service', 'latest').status).toBe(2);
        expect(setRelease(root, 'billing-service', '1.0.0').status).toBe(2);
        expect(readFileSync(join(root, 'apps', 'order-service', 'release.yaml'), 'utf8')).toBe(before);
      }));
  });

  describe('tools/delivery/bump-version.sh', () => {
    it('starts a release in the team\'s pull request: package.json and compose\'s SERVICE_VERSION, not the cluster\'s version', () => {
      const root = mkdtempSync(join(tmpdir(), 'bump-'));
      try {
        mkdirSync(join(root, 'apps', 'order-service'), { recursive: true });
        cpSync(join(REPO_ROOT, 'apps', 'order-service', 'package.json'), join(root, 'apps', 'order-service', 'package.json'));
        cpSync(join(REPO_ROOT, 'docker-compose.yml'), join(root, 'docker-compose.yml'));
        const run = spawnSync(join(REPO_ROOT, 'tools', 'delivery', 'bump-version.sh'), ['order-service', '1.4.0'], { encoding: 'utf8', env: { ...process.env, REPO_ROOT: root } });
        expect(run.status).toBe(0);
        expect(JSON.parse(readFileSync(join(root, 'apps', 'order-service', 'package.json'), 'utf8')).version).toBe('1.4.0');
        const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
        expect(compose.services['order-service'].build.args.SERVICE_VERSION).toBe('${ORDER_SERVICE_VERSION:-1.4.0}');
        expect(compose.services['user-service'].build.args.SERVICE_VERSION).toBe(`\${USER_SERVICE_VERSION:-${JSON.parse(readFileSync(join(REPO_ROOT, 'apps', 'user-service', 'package.json'), 'utf8')).version}}`);
        expect(spawnSync(join(REPO_ROOT, 'tools', 'delivery', 'bump-version.sh'), ['order-service', 'next'], { env: { ...process.env, REPO_ROOT: root } }).status).toBe(2);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('Argo CD', () => {
    const argocd = render('argocd');
    const applications = argocd.filter((object) => object.kind === 'Application');

    it('validates against the Argo CD schemas', async () => {
      expect(await schemaProblems(argocd)).toEqual([]);
    });

    it('has one automatically synced Application per service, on its own directory', () => {
      for (const service of SERVICES) {
        const application = applications.find((each) => each.spec.source.path === `k8s/apps/${service}`);
        expect({ service, found: Boolean(application), automated: application?.spec.syncPolicy?.automated }).toEqual({ service, found: true, automated: { prune: true, selfHeal: true } });
      }
      expect(applications.map((each) => each.spec.source.path)).toEqual(expect.arrayContaining(['k8s/overlays/prod/foundation']));
    });

    it.each(SERVICES)('%s: its Application renders exactly what the prod overlay renders for it', (service) => {
      const application = applications.find((each) => each.spec.source.path === `k8s/apps/${service}`)!;
      const components: string[] = application.spec.source.kustomize?.components ?? [];
      // What Argo CD does: add the Application's components to the directory's kustomization.
      const alone = withCopy((root) => {
        const file = join(root, 'apps', service, 'kustomization.yaml');
        // `kustomize edit add component`: appended after the directory's own components.
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^(components:\n(?: {2}- .*\n)+)/m, `$1${components.map((each) => `  - ${each}\n`).join('')}`));
        return render(`apps/${service}`, root);
      });
      const names = new Set(alone.map((object) => `${object.kind}/${object.metadata.name}`));
      const prod = render('overlays/prod').filter((object) => names.has(`${object.kind}/${object.metadata.name}`));
      const key = (object: Manifest) => `${object.kind}/${object.metadata.name}`;
      expect(prod.map(key).sort()).toEqual([...names].sort());
      for (const object of alone) expect(object).toEqual(prod.find((each) => key(each) === key(object)));
      expect(components.length).toBeGreaterThan(0);
    });

    it('the foundation plus every service is the whole prod overlay', () => {
      const key = (object: Manifest) => `${object.kind}/${object.metadata.name}`;
      const parts = [render('overlays/prod/foundation'), ...SERVICES.map((service) => render(`apps/${service}`))].flat().map(key).sort();
      expect(parts).toEqual(render('overlays/prod').map(key).sort());
    });
  });

  describe('the edge and secrets', () => {
    it('validates the Gateway API objects and the ExternalSecret examples against their schemas', async () => {
      expect(await schemaProblems([...render('edge'), ...render('examples/external-secrets')])).toEqual([]);
    });

    it('terminates TLS with a Secret and routes only to the gateway\'s client port', () => {
      const edge = render('overlays/prod');
      const gateway = edge.find((object) => object.kind === 'Gateway')!;
      const https = gateway.spec.listeners.find((listener: { protocol: string }) => listener.protocol === 'HTTPS');
      expect(https.tls.certificateRefs).toEqual([{ kind: 'Secret', name: 'platform-tls' }]);
      const backends = edge.filter((object) => object.kind === 'HTTPRoute').flatMap((route) => route.spec.rules.flatMap((rule: { backendRefs?: object[] }) => rule.backendRefs ?? []));
      expect(backends).toEqual([{ name: 'gateway', port: 80 }]);
      const service = edge.find((object) => object.kind === 'Service' && object.metadata.name === 'gateway')!;
      expect(service.spec.ports).toEqual([expect.objectContaining({ port: 80, targetPort: 'http' })]);
    });

    it('sends HSTS (two years, subdomains) on every answer it routes over HTTPS', () => {
      const routes = render('overlays/prod').filter((object) => object.kind === 'HTTPRoute' && object.spec.parentRefs.some((parent: { sectionName?: string }) => parent.sectionName === 'https'));
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        for (const rule of route.spec.rules) {
          const set = (rule.filters ?? []).filter((filter: { type: string }) => filter.type === 'ResponseHeaderModifier').flatMap((filter: { responseHeaderModifier: { set?: object[] } }) => filter.responseHeaderModifier.set ?? []);
          expect({ route: route.metadata.name, set }).toEqual({ route: route.metadata.name, set: [{ name: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }] });
        }
      }
    });

    it('has an ExternalSecret example for every Secret the manifests reference', () => {
      const prod = JSON.stringify(render('overlays/prod'));
      const referenced = new Set([...prod.matchAll(/"secretKeyRef":\{"key":"([^"]+)","name":"([^"]+)"/g)].map((match) => `${match[2]}/${match[1]}`));
      referenced.add('platform-tls/tls.crt').add('platform-tls/tls.key');
      // CloudNativePG creates its superuser Secret itself.
      for (const each of [...referenced]) if (each.startsWith('platform-postgres-superuser/')) referenced.delete(each);
      const examples = render('examples/external-secrets').filter((object) => object.kind === 'ExternalSecret');
      const provided = new Set(examples.flatMap((object) => object.spec.data.map((each: { secretKey: string }) => `${object.spec.target.name}/${each.secretKey}`)));
      expect([...referenced].filter((each) => !provided.has(each))).toEqual([]);
      expect(referenced.size).toBeGreaterThanOrEqual(8);
    });
  });
});
