import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensurePrometheus, REPO_ROOT } from '@platform/local-platform';
import { parse, stringify } from 'yaml';
import { type Manifest, OVERLAYS, render, SERVICES } from './support/kubernetes';

const TESTS_DIR = join(REPO_ROOT, 'k8s', 'monitoring', 'tests');
const OBSERVABILITY_DOC = () => readFileSync(join(REPO_ROOT, 'docs', 'observability.md'), 'utf8');

/** Runs promtool in a folder holding each PrometheusRule's spec as a plain rules file (<name>.rules.yaml), and the tests. */
function promtool(rules: Record<string, unknown>, args: (rulesFiles: string[]) => string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    for (const [name, spec] of Object.entries(rules)) writeFileSync(join(dir, `${name}.rules.yaml`), stringify(spec));
    for (const file of readdirSync(TESTS_DIR)) copyFileSync(join(TESTS_DIR, file), join(dir, file));
    const run = spawnSync(join(ensurePrometheus(), 'promtool'), args(Object.keys(rules).map((name) => `${name}.rules.yaml`)), { cwd: dir, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Metric names the services declare (counter/gauge/histogram calls in the code). */
function declaredMetrics(): Set<string> {
  const files = spawnSync('git', ['ls-files', 'libs/*.ts', 'apps/*.ts'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\n').filter((file) => file && !file.endsWith('.spec.ts'));
  const names = files.flatMap((file) => [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/\b(?:counter|gauge|histogram)\(\s*'([a-z_:]+)'/g)].map((match) => match[1]));
  return new Set(names.flatMap((name) => [name, `${name}_bucket`, `${name}_count`, `${name}_sum`]));
}

describe('monitoring as code', () => {
  const monitoring = render('monitoring');
  // platform-alerts (per-service alerts) and platform-slos (the SLOs and their burn-rate alerts).
  const ruleObjects = monitoring.filter((object) => object.kind === 'PrometheusRule');
  const specs = Object.fromEntries(ruleObjects.map((object) => [object.metadata.name, object.spec]));
  const rule = ruleObjects.find((object) => object.metadata.name === 'platform-alerts')!;
  const allRules: { alert?: string; record?: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[] = ruleObjects.flatMap((object) => object.spec.groups.flatMap((group: { rules: object[] }) => group.rules));
  const alerts = allRules.filter((each) => each.alert) as { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[];

  it('a fresh clone without root gets a clear message instead of a missing promtool', () => {
    const clone = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
    try {
      for (const file of [join('tools', 'prometheus', 'ensure-prometheus.sh'), join('tools', 'system', 'fetch-debs.sh')]) {
        mkdirSync(dirname(join(clone, file)), { recursive: true });
        copyFileSync(join(REPO_ROOT, file), join(clone, file));
        chmodSync(join(clone, file), 0o755);
      }
      for (const dir of [clone, join(clone, 'tools'), join(clone, 'tools', 'prometheus'), join(clone, 'tools', 'system')]) chmodSync(dir, 0o755);
      const script = join(clone, 'tools', 'prometheus', 'ensure-prometheus.sh');
      // As an unprivileged user (nobody, when the suite runs as root).
      const run = process.getuid?.() === 0 ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', script], { encoding: 'utf8' }) : spawnSync(script, { encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('apt-get download needs root') });
      expect(run.stderr).toContain('apt-get download prometheus && dpkg-deb -x');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('promtool accepts the PrometheusRules', () => {
    expect(Object.keys(specs).sort()).toEqual(['platform-alerts', 'platform-slos']);
    const check = promtool(specs, (files) => ['check', 'rules', ...files]);
    expect(check).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('promtool rejects a broken rule (the control case)', () => {
    const broken = { groups: [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'sum by (service) (rate(http_server_request_duration_seconds_count[5m])' }] }] };
    expect(promtool({ broken }, (files) => ['check', 'rules', ...files]).status).not.toBe(0);
  });

  it.each(['prometheus.yml', 'prometheus.compose.yml'])('promtool accepts the scrape config tools/prometheus/%s', (file) => {
    const check = spawnSync(join(ensurePrometheus(), 'promtool'), ['check', 'config', join(REPO_ROOT, 'tools', 'prometheus', file)], { encoding: 'utf8' });
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('every alert passes its promtool unit tests (input series in k8s/monitoring/tests)', () => {
    const run = promtool(specs, () => ['test', 'rules', ...readdirSync(TESTS_DIR)]);
    expect(run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    expect(run.output).not.toContain('FAILED');
  });

  it('the unit tests fail when an alert changes (they assert the firing alert, not just that rules load)', () => {
    const changed = structuredClone(rule.spec);
    const outbox = changed.groups.flatMap((group: { rules: { alert?: string; expr: string }[] }) => group.rules).find((each: { alert?: string }) => each.alert === 'PlatformOutboxStuck');
    outbox.expr = outbox.expr.replace('> 60', '> 600');
    const run = promtool({ ...specs, 'platform-alerts': changed }, () => ['test', 'rules', ...readdirSync(TESTS_DIR)]);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('PlatformOutboxStuck');
  });

  it('covers what SREs need: error and latency SLO burn, consumer lag, outbox age, dead letters, open circuits, pod restarts', () => {
    const text = alerts.map((each) => each.expr).join('\n');
    for (const metric of ['http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket', 'kafka_consumer_lag', 'outbox_oldest_unsent_age_seconds', 'events_dead_lettered_total', 'gateway_upstream_circuit_state', 'kube_pod_container_status_restarts_total']) {
      expect({ metric, used: text.includes(metric) || JSON.stringify(rule.spec).includes(metric) }).toEqual({ metric, used: true });
    }
  });

  it('defines the SLOs as code: gateway availability and latency, event freshness, each with an objective and its error ratio at every window its burn-rate alerts read', () => {
    const slos = specs['platform-slos'].groups.flatMap((group: { rules: { record?: string; expr: string; labels?: { slo?: string } }[] }) => group.rules);
    const objectives = Object.fromEntries(slos.filter((each: any) => each.record === 'slo:objective:ratio').map((each: any) => [each.labels.slo, Number(/vector\(([\d.]+)\)/.exec(each.expr)?.[1])]));
    expect(objectives).toEqual({ 'gateway-availability': 0.999, 'gateway-latency': 0.99, 'event-freshness': 0.99 });
    const windows = [...new Set(slos.filter((each: any) => each.alert).flatMap((each: any) => [...each.expr.matchAll(/slo:sli_error:ratio_rate(\w+)/g)].map((match) => match[1])))];
    expect(windows.sort()).toEqual(['1d', '1h', '2h', '30m', '3d', '5m', '6h']);
    for (const slo of Object.keys(objectives)) {
      for (const window of windows) {
        const sli = slos.find((each: any) => each.record === `slo:sli_error:ratio_rate${window}` && each.labels?.slo === slo);
        expect({ slo, window, defined: Boolean(sli), overWindow: sli?.expr.includes(`[${window}]`) }).toEqual({ slo, window, defined: true, overWindow: true });
      }
    }
    const metricOf = (slo: string) => slos.find((each: any) => each.record === 'slo:sli_error:ratio_rate5m' && each.labels?.slo === slo).expr;
    expect(metricOf('gateway-availability')).toMatch(/http_server_request_duration_seconds_count\{service="gateway",status_code=~"5\.\."\}/);
    expect(metricOf('gateway-latency')).toMatch(/http_server_request_duration_seconds_bucket\{service="gateway",le="0\.5"\}/);
    expect(metricOf('event-freshness')).toMatch(/event_freshness_seconds_bucket\{le="2"\}/);
  });

  it('every alert is unit-tested, has a severity, a summary and a runbook entry in docs/observability.md', () => {
    const tests = readdirSync(TESTS_DIR).flatMap((file) => parse(readFileSync(join(TESTS_DIR, file), 'utf8')).tests);
    const tested = new Set(tests.flatMap((test: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }) => (test.alert_rule_test ?? []).filter((each) => each.exp_alerts.length > 0).map((each) => each.alertname)));
    const doc = OBSERVABILITY_DOC();
    for (const { alert, labels, annotations } of alerts) {
      const anchor = alert.toLowerCase();
      expect({ alert, tested: tested.has(alert), severity: labels?.severity, runbook: annotations?.runbook_url?.endsWith(`docs/observability.md#${anchor}`), summary: Boolean(annotations?.summary) }).toEqual({ alert, tested: true, severity: expect.stringMatching(/^(critical|warning)$/), runbook: true, summary: true });
      expect({ alert, documented: new RegExp(`^#{2,4} ${alert}$`, 'm').test(doc) }).toEqual({ alert, documented: true });
    }
  });

  it('alerts on metrics the services really expose (or that kube-state-metrics and Prometheus provide)', () => {
    const declared = declaredMetrics();
    const external = new Set(['kube_pod_container_status_restarts_total', 'up']);
    const recorded = new Set<string>(allRules.map((each) => each.record).filter((name): name is string => Boolean(name)));
    const functions = new Set(['sum', 'max', 'rate', 'increase', 'deriv', 'by', 'and', 'or', 'histogram_quantile', 'vector']);
    const used: string[] = allRules.flatMap((each) => [...each.expr.replace(/\{[^}]*\}/g, '').replace(/(by|on|group_left) \([^)]*\)/g, '').matchAll(/\b([a-z_][a-z0-9_:]*)\b/g)].map((match) => match[1]));
    const unknown = [...new Set(used)].filter((name) => !functions.has(name) && !declared.has(name) && !external.has(name) && !recorded.has(name) && !/^\d/.test(name));
    expect(unknown).toEqual([]);
  });

  it('counts each partition\'s lag once: every rule and panel reads kafka_consumer_lag through max by partition (replicas report the partitions they own, and overlap while they rebalance)', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'k8s', 'monitoring', 'dashboards', 'platform-dashboard.json'), 'utf8'));
    const panelQueries: string[] = dashboard.panels.flatMap((panel: { targets?: { expr: string }[] }) => (panel.targets ?? []).map((target) => target.expr));
    const ruleQueries: string[] = allRules.map((each) => each.expr);
    const reading = [...panelQueries, ...ruleQueries].filter((expr) => /(?<![\w:])kafka_consumer_lag(?![\w:])/.test(expr));
    expect(reading.length).toBeGreaterThanOrEqual(2);
    for (const expr of reading) expect({ expr, once: /max by \((?=[^)]*\bpartition\b)[^)]*\) \(kafka_consumer_lag\b/.test(expr) }).toEqual({ expr, once: true });
  });

  describe('the dashboard', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'k8s', 'monitoring', 'dashboards', 'platform-dashboard.json'), 'utf8'));
    type Panel = { type: string; title: string; repeat?: string; targets?: { expr: string }[] };
    const panels: Panel[] = dashboard.panels;

    it('has a service variable and one row per service (a row repeated by it) with RED, consumer lag, outbox and mail panels of that service', () => {
      const variable = dashboard.templating.list.find((each: { name: string }) => each.name === 'service');
      expect(variable).toEqual(expect.objectContaining({ type: 'query', multi: true, includeAll: true }));
      expect(variable.definition).toMatch(/label_values\(\w+, service\)/);
      const start = panels.findIndex((panel) => panel.type === 'row' && panel.repeat === 'service');
      expect(start).toBeGreaterThanOrEqual(0);
      const end = panels.findIndex((panel, index) => index > start && panel.type === 'row');
      const queries = panels.slice(start + 1, end < 0 ? undefined : end).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
      for (const query of queries) expect({ query, ofTheRowsService: query.includes('service="$service"') }).toEqual({ query, ofTheRowsService: true });
      for (const metric of ['http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket', 'kafka_consumer_lag', 'outbox_backlog_rows', 'outbox_oldest_unsent_age_seconds', 'notification_emails_sent_total', 'event_freshness_seconds_bucket']) {
        expect({ metric, panel: queries.some((query) => query.includes(metric)) }).toEqual({ metric, panel: true });
      }
      // Everywhere else, the panels follow the variable's selection.
      const others = panels.filter((panel, index) => index < start || (end >= 0 && index > end)).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
      for (const query of others.filter((each) => each.includes('process_') || each.includes('http_server_'))) expect(query).toContain('service=~"$service"');
    });

    it('queries only valid PromQL (every query checked by promtool as a recording rule)', () => {
      const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr.replaceAll('$service', 'gateway')));
      const rules = { groups: [{ name: 'dashboard', rules: queries.map((expr, index) => ({ record: `dashboard:query${index}`, expr })) }] };
      expect(promtool({ dashboard: rules }, (files) => ['check', 'rules', ...files])).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    });
  });

  it('provisions the Grafana dashboard for the sidecar: the JSON file under k8s/monitoring/dashboards, in every overlay', () => {
    const file = readFileSync(join(REPO_ROOT, 'k8s', 'monitoring', 'dashboards', 'platform-dashboard.json'), 'utf8');
    for (const overlay of OVERLAYS) {
      const configMap = render(overlay).find((object) => object.kind === 'ConfigMap' && object.metadata.labels?.['grafana_dashboard'] === '1')!;
      expect(configMap).toBeDefined();
      expect(JSON.parse(configMap.data!['platform-dashboard.json'])).toEqual(JSON.parse(file));
    }
    expect(OBSERVABILITY_DOC()).toContain('k8s/monitoring/dashboards/platform-dashboard.json');
  });

  it.each(OVERLAYS)('%s: every service is scraped on its management port by a PodMonitor; no prometheus.io annotations', (overlay) => {
    const objects = render(overlay);
    expect(JSON.stringify(objects)).not.toContain('prometheus.io/');
    for (const service of SERVICES) {
      const monitor = objects.find((object) => object.kind === 'PodMonitor' && object.metadata.name === service)!;
      expect({ service, selector: monitor.spec.selector.matchLabels, endpoints: monitor.spec.podMetricsEndpoints.map((each: { port: string; path: string }) => `${each.port}${each.path}`) }).toEqual({
        service,
        selector: { 'app.kubernetes.io/name': service },
        endpoints: ['management/metrics'],
      });
      const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === service)!;
      expect(deployment.spec.template.spec.containers[0].ports.map((port: { name: string }) => port.name)).toContain('management');
    }
    expect(objects.find((object) => object.kind === 'PrometheusRule')).toBeDefined();
  });

  it('turns on CloudNativePG\'s PodMonitor and Strimzi\'s broker metrics and kafka-exporter', () => {
    const infra = render('infra');
    expect(infra.find((object) => object.kind === 'Cluster')!.spec.monitoring.enablePodMonitor).toBe(true);
    const kafka = infra.find((object) => object.kind === 'Kafka')!;
    expect(kafka.spec.kafkaExporter).toEqual(expect.objectContaining({ groupRegex: expect.any(String) }));
    const { name, key } = kafka.spec.kafka.metricsConfig.valueFrom.configMapKeyRef;
    const rules = infra.find((object): object is Manifest => object.kind === 'ConfigMap' && object.metadata.name === name)?.data?.[key];
    expect(parse(rules!).rules.length).toBeGreaterThan(0);
    expect(render('monitoring').map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(expect.arrayContaining(['PodMonitor/platform-kafka']));
  });

  it('sends traces through an OpenTelemetry Collector that limits memory, keeps every error trace and a share of the rest, batches, and exports to Jaeger', () => {
    const infra = render('infra');
    const configMap = infra.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('otel-collector'))!;
    const config = parse(configMap.data!['config.yaml']);
    const collector = infra.find((object) => object.kind === 'Deployment' && object.metadata.name === 'otel-collector')!.spec.template.spec;
    expect(collector.volumes[0].configMap.name).toBe(configMap.metadata.name);
    const env = Object.fromEntries(collector.containers[0].env.map((each: { name: string; value: string }) => [each.name, each.value]));
    expect(env).toEqual(expect.objectContaining({ JAEGER_OTLP_ENDPOINT: 'jaeger-collector:4317', SAMPLING_PERCENTAGE: expect.stringMatching(/^\d+$/) }));
    expect(config.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'tail_sampling', 'batch'], exporters: ['otlp/jaeger'] });
    const policies = config.processors.tail_sampling.policies;
    expect(policies).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'status_code', status_code: { status_codes: ['ERROR'] } }), expect.objectContaining({ type: 'probabilistic' })]));
    expect(config.exporters['otlp/jaeger'].endpoint).toBe('${env:JAEGER_OTLP_ENDPOINT}');
    expect(config.processors.tail_sampling.policies.find((policy: { type: string }) => policy.type === 'probabilistic').probabilistic.sampling_percentage).toBe('${env:SAMPLING_PERCENTAGE}');
    for (const overlay of OVERLAYS) {
      const shared = render(overlay).find((object) => object.kind === 'ConfigMap' && object.metadata.labels?.['app.kubernetes.io/component'] === 'shared-settings')!.data!;
      // Services keep every span: the collector decides once the trace is complete.
      expect({ overlay, endpoint: shared['OTEL_EXPORTER_OTLP_ENDPOINT'], sampler: shared['OTEL_TRACES_SAMPLER'] }).toEqual({ overlay, endpoint: 'http://otel-collector:4318', sampler: 'parentbased_always_on' });
    }
  });
});
