import { join } from 'node:path';
import { freePort, SERVICE_NAMES, startPrometheus, waitFor, type PrometheusServer, type ServiceName } from '@platform/local-platform';
import { registerUser, TestPlatform } from '@platform/testing';

type Target = { labels: Record<string, string>; scrapeUrl: string; health: string; lastError: string };
type Vector = { metric: Record<string, string>; value: [number, string] }[];

async function query(prometheus: PrometheusServer, promql: string): Promise<Vector> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { resultType: string; result: Vector } };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('a real Prometheus scrapes the local platform (PROMETHEUS=1 ./platform up)', () => {
  let platform: TestPlatform;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    platform = await TestPlatform.start('prometheus-scrape');
    const managementPorts = Object.fromEntries(SERVICE_NAMES.map((service) => [service, platform.platform.wiring.ports[service].management])) as Record<ServiceName, number>;
    // The same start-up `./platform up` uses, with the scrape config the docs give (tools/prometheus/prometheus.yml).
    prometheus = await startPrometheus({ port: await freePort(), managementPorts, dataDir: join(platform.workDir, 'prometheus'), output: join(platform.workDir, 'prometheus.log'), scrapeIntervalSeconds: 1 });
  }, 240_000);

  afterAll(async () => {
    await prometheus?.process.stop();
    await platform?.stop();
  });

  it('has every service as a target, on its management port, and every target is up', async () => {
    const targets = await waitFor('all four targets up', async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Target[] } };
      const active = body.data.activeTargets;
      return active.length === SERVICE_NAMES.length && active.every((target) => target.health === 'up') ? active : undefined;
    }, 30_000, 500);
    const byApp = Object.fromEntries(targets.map((target) => [target.labels['app'], target.scrapeUrl]));
    expect(byApp).toEqual(Object.fromEntries(SERVICE_NAMES.map((service) => [service, `${platform.managementUrl(service)}/metrics`])));
    const up = await query(prometheus, 'up{job="platform"}');
    expect(up.map((sample) => [sample.metric['app'], sample.value[1]]).sort()).toEqual(SERVICE_NAMES.map((service) => [service, '1']).sort());
  });

  it('answers a platform metric through its HTTP API: the outbox backlog of each service that publishes', async () => {
    // A registration writes user.registered to user-service's outbox.
    await registerUser(platform.api);
    const backlog = await waitFor('outbox_backlog_rows of user-service and order-service', async () => {
      const result = await query(prometheus, 'max by (service) (outbox_backlog_rows)');
      const services = result.map((sample) => sample.metric['service']).sort();
      return services.includes('user-service') && services.includes('order-service') ? result : undefined;
    }, 30_000, 500);
    for (const sample of backlog) expect(Number(sample.value[1])).toBeGreaterThanOrEqual(0);
    // A request the gateway served shows up in its RED metrics, labelled by service.
    const requests = await waitFor('gateway requests counted', async () => {
      const result = await query(prometheus, 'sum by (service) (http_server_request_duration_seconds_count{service="gateway"})');
      return result.length && Number(result[0].value[1]) > 0 ? result : undefined;
    }, 30_000, 500);
    expect(requests[0].metric['service']).toBe('gateway');
  });
});
