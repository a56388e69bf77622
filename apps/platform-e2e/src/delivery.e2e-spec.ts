import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
      // The README's test command, then the production rehearsal's CI form (SPEC §5).
      expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8').split('\n').filter((line) => line.startsWith('./platform'))).toEqual(['./platform test', './platform rehearse --ci']);
      expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('./platform test');
      expect(runs(ci)).toMatch(/^\.ci\/run$/m);
      // The workflow linters run as a named check (tools/checks/workflows.sh).
      expect(runs(ci)).toMatch(/^\.\/platform check workflows$/m);
    });

    it('delivery builds and pushes only affected services, tagged with version and commit, and bumps their release.yaml and CHANGELOG', () => {
      const delivery = workflow('delivery.yml');
      const script = runs(delivery);
      expect(script).toMatch(/nx show projects --affected/);
      expect(delivery.jobs.image.strategy.matrix.service).toBe('${{ fromJSON(needs.affected.outputs.services) }}');
      expect(script).toMatch(/-f tools\/docker\/Dockerfile --build-arg APP="\$SERVICE" --build-arg SERVICE_VERSION="\$VERSION"/);
      expect(script).toContain('$image:$VERSION-${SHA::7}');
      expect(script).toMatch(/tools\/delivery\/set-release\.sh "\$\{\{ matrix\.service \}\}" "\$\{\{ steps\.version\.outputs\.version \}\}"/);
      expect(script).toMatch(/tools\/delivery\/changelog\.sh "\$\{\{ matrix\.service \}\}" "\$\{\{ steps\.version\.outputs\.version \}\}"/);
      const pullRequest = steps(delivery).find((step: any) => String(step.uses).startsWith('peter-evans/create-pull-request'));
      expect(String(pullRequest.with['add-paths']).trim().split('\n').sort()).toEqual(['apps/${{ matrix.service }}/CHANGELOG.md', 'k8s/apps/${{ matrix.service }}/release.yaml']);
    });

    it('delivery runs only after CI passed on a push to main, from the commit CI tested', () => {
      const delivery = workflow('delivery.yml');
      expect(delivery.on.push).toBeUndefined();
      expect(delivery.on.workflow_run).toEqual({ workflows: [workflow('ci.yml').name], types: ['completed'], branches: ['main'] });
      expect(delivery.jobs.affected.if).toContain("github.event.workflow_run.conclusion == 'success'");
      const checkout = delivery.jobs.affected.steps.find((step: any) => String(step.uses).startsWith('actions/checkout'));
      expect(checkout.with.ref).toContain('github.event.workflow_run.head_sha');
      expect(delivery.jobs.image.needs).toBe('affected');
    });

    it('delivery takes its base from the last successful delivery, so a cancelled or failed run\'s services are built by the next one', () => {
      const delivery = workflow('delivery.yml');
      expect(JSON.stringify(delivery)).not.toContain('github.event.before');
      const shas = delivery.jobs.affected.steps.find((step: any) => String(step.uses).startsWith('nrwl/nx-set-shas'));
      expect(shas?.with).toEqual(expect.objectContaining({ 'workflow-id': 'delivery.yml', 'last-successful-event': 'workflow_run', 'main-branch-name': 'main' }));
      expect(runs(delivery)).toMatch(/--base="\$NX_BASE"/);
      // Pending runs wait instead of replacing the running one.
      expect(delivery.concurrency['cancel-in-progress']).toBe(false);
    });

    it('every job that runs Nx or the delivery scripts sets up Node 24 first', () => {
      for (const name of ['ci.yml', 'delivery.yml']) {
        for (const [id, job] of Object.entries(workflow(name).jobs) as [string, any][]) {
          const jobSteps: any[] = job.steps ?? [];
          const firstNx = jobSteps.findIndex((step) => /\bnx\b|tools\/delivery\//.test(step.run ?? ''));
          if (firstNx < 0 || name === 'ci.yml') continue;
          const setup = jobSteps.findIndex((step) => String(step.uses).startsWith('actions/setup-node'));
          expect({ workflow: name, job: id, nodeFirst: setup >= 0 && setup < firstNx, version: String(jobSteps[setup]?.with?.['node-version']) }).toEqual({ workflow: name, job: id, nodeFirst: true, version: '24' });
        }
      }
      // CI runs everything through ./platform, which fetches Node 24 itself (tools/node/ensure-node.sh).
      expect(runs(workflow('ci.yml'))).not.toMatch(/\bnpx\b/);
      expect(runs(workflow('delivery.yml'))).not.toMatch(/\bnpx\b/);
    });

    it('opens release pull requests as a GitHub App, whose pull requests trigger CI (GITHUB_TOKEN\'s do not)', () => {
      const delivery = workflow('delivery.yml');
      const jobSteps: any[] = delivery.jobs.image.steps;
      const app = jobSteps.find((step) => String(step.uses).startsWith('actions/create-github-app-token'));
      expect(app?.with).toEqual({ 'app-id': '${{ vars.RELEASE_APP_ID }}', 'private-key': '${{ secrets.RELEASE_APP_PRIVATE_KEY }}' });
      const pullRequest = jobSteps.find((step) => String(step.uses).startsWith('peter-evans/create-pull-request'));
      expect(pullRequest.with.token).toBe(`\${{ steps.${app.id}.outputs.token }}`);
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

  describe('tools/delivery/changelog.sh', () => {
    it('adds a release section on top of the service\'s CHANGELOG with the commits since its last release that touched it or a lib', () => {
      const root = mkdtempSync(join(tmpdir(), 'changelog-'));
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, encoding: 'utf8' }).stdout.trim();
      const commit = (file: string, message: string) => {
        mkdirSync(join(root, file, '..'), { recursive: true });
        writeFileSync(join(root, file), message);
        git('add', '-A');
        git('commit', '-qm', message);
        return git('rev-parse', '--short=12', 'HEAD');
      };
      const changelog = (service: string, version: string) => spawnSync(join(REPO_ROOT, 'tools', 'delivery', 'changelog.sh'), [service, version], { encoding: 'utf8', env: { ...process.env, REPO_ROOT: root } });
      try {
        git('init', '-q');
        commit('apps/order-service/src/main.ts', 'order-service: first');
        expect(changelog('order-service', '1.0.0').status).toBe(0);
        commit('apps/order-service/CHANGELOG.md', readFileSync(join(root, 'apps', 'order-service', 'CHANGELOG.md'), 'utf8'));
        commit('apps/order-service/src/orders.ts', 'order-service: cancel reasons');
        commit('apps/gateway/src/main.ts', 'gateway: not order-service\'s');
        commit('libs/messaging/src/relay.ts', 'messaging: faster relay');
        const head = commit('apps/order-service/src/orders.ts', 'order-service: fix totals');
        const run = changelog('order-service', '1.1.0');
        expect(run.status).toBe(0);
        const text = readFileSync(join(root, 'apps', 'order-service', 'CHANGELOG.md'), 'utf8');
        const sections = text.split(/^(?=## )/m).slice(1);
        expect(sections.map((section) => section.split('\n')[0])).toEqual([expect.stringMatching(new RegExp(`^## 1\\.1\\.0 — \\d{4}-\\d{2}-\\d{2} \\(${head}\\)$`)), expect.stringMatching(/^## 1\.0\.0 /)]);
        expect(sections[0]).toMatch(/- order-service: fix totals \(\w+\)\n- messaging: faster relay \(\w+\)\n- order-service: cancel reasons \(\w+\)/);
        expect(sections[0]).not.toContain('gateway');
        expect(sections[0]).not.toContain('order-service: first');
        expect(changelog('order-service', 'next').status).toBe(2);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it.each(SERVICES)('%s has a CHANGELOG whose latest release is the one k8s/apps/<service>/release.yaml runs (the release pull request writes both)', (service) => {
      const text = readFileSync(join(REPO_ROOT, 'apps', service, 'CHANGELOG.md'), 'utf8');
      expect(/^## (\S+) — /m.exec(text)?.[1]).toBe(releaseVersion(service));
    });
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

  describe('what contributors find', () => {
    const text = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

    it('has the license package.json names, and a security policy that says how to report and what is supported', () => {
      expect(JSON.parse(text('package.json')).license).toBe('MIT');
      expect(text('LICENSE')).toMatch(/^MIT License\n/);
      expect(text('SECURITY.md')).toMatch(/^## Reporting a vulnerability$/m);
      expect(text('SECURITY.md')).toMatch(/^## Supported versions$/m);
    });

    it('has an owner line for each service\'s code and Kubernetes directory, one per directory of k8s/apps', () => {
      const lines = text('.github/CODEOWNERS').split('\n').filter((line) => line.trim() && !line.startsWith('#')).map((line) => line.trim().split(/\s+/));
      for (const [pattern, ...owners] of lines) {
        expect({ pattern, owners: owners.length > 0 && owners.every((owner) => /^@[\w-]+(\/[\w-]+)?$/.test(owner)) }).toEqual({ pattern, owners: true });
        if (pattern !== '*') expect({ pattern, exists: existsSync(join(REPO_ROOT, pattern)) }).toEqual({ pattern, exists: true });
      }
      const services = readdirSync(join(REPO_ROOT, 'k8s', 'apps')).sort();
      expect(services).toEqual([...SERVICES].sort());
      const owned = lines.map(([pattern]) => pattern).filter((pattern) => pattern !== '*').sort();
      expect(owned).toEqual(services.flatMap((service) => [`/apps/${service}/`, `/k8s/apps/${service}/`]).sort());
    });

    it('configures Renovate for npm, the Docker base image, infrastructure images and GitHub Actions, with a group per service', () => {
      const config = JSON.parse(text('renovate.json'));
      const groups = new Set(config.packageRules.map((rule: { groupName?: string }) => rule.groupName));
      for (const service of SERVICES) expect({ service, grouped: groups.has(service) }).toEqual({ service, grouped: true });
      const managers = new Set(config.packageRules.flatMap((rule: { matchManagers?: string[] }) => rule.matchManagers ?? []));
      for (const manager of ['npm', 'dockerfile', 'docker-compose', 'kubernetes', 'github-actions']) expect({ manager, covered: managers.has(manager) }).toEqual({ manager, covered: true });
      // The Dockerfile's comment says Renovate bumps the base image: it is configured.
      expect(text('tools/docker/Dockerfile')).toMatch(/Renovate bumps/);
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

    it('runs every Job an Application syncs as a hook with a delete policy, so selfHeal never re-creates a finished Job its TTL removed', () => {
      const jobs = applications.flatMap((application) => {
        const components: string[] = application.spec.source.kustomize?.components ?? [];
        const objects = components.length === 0 ? render(join(REPO_ROOT, application.spec.source.path)) : withCopy((root) => {
          const file = join(root, application.spec.source.path.replace(/^k8s\//, ''), 'kustomization.yaml');
          writeFileSync(file, readFileSync(file, 'utf8').replace(/^(components:\n(?: {2}- .*\n)+)/m, `$1${components.map((each) => `  - ${each}\n`).join('')}`));
          return render(application.spec.source.path.replace(/^k8s\//, ''), root);
        });
        return objects.filter((object) => object.kind === 'Job').map((job) => ({ application: application.metadata.name, job }));
      });
      expect(jobs.map(({ job }) => job.metadata.name)).toEqual(expect.arrayContaining(['platform-db-init', expect.stringMatching(/^order-service-migrate-/)]));
      for (const { application, job } of jobs) {
        const annotations = job.metadata.annotations ?? {};
        const ttl = job.spec.ttlSecondsAfterFinished;
        expect({ application, job: job.metadata.name, hook: annotations['argocd.argoproj.io/hook'], deletePolicy: annotations['argocd.argoproj.io/hook-delete-policy'], ttlLongEnoughForArgoToSeeItFinish: ttl === undefined || ttl >= 3600 }).toEqual({
          application,
          job: job.metadata.name,
          hook: expect.stringMatching(/^(PreSync|Sync|PostSync)$/),
          deletePolicy: expect.stringContaining('BeforeHookCreation'),
          ttlLongEnoughForArgoToSeeItFinish: true,
        });
      }
      // Migrations run before the Deployment is applied; the roles and schemas once Postgres is healthy.
      expect(jobs.filter(({ job }) => job.metadata.labels?.['app.kubernetes.io/name']?.endsWith('-migrate')).every(({ job }) => job.metadata.annotations?.['argocd.argoproj.io/hook'] === 'PreSync')).toBe(true);
      expect(jobs.find(({ job }) => job.metadata.name === 'platform-db-init')!.job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PostSync');
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
