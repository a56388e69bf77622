import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, serveControl, type ReplicaRow } from '@platform/local-platform';
import { eventually, registerUser, TestPlatform, type TestUser } from '@platform/testing';

const run = promisify(execFile);
const SERVICES = ['gateway', 'user-service', 'order-service', 'notification-service'];
const anOrder = { currency: 'EUR', items: [{ sku: 'REPLICA-1', quantity: 1, unitPrice: 500 }] };

describe('./platform up --replicas: every service as replicas behind a load balancer, listed and rolled through the control socket', () => {
  let platform: TestPlatform;
  let control: Server;
  let user: TestUser;
  let socket: string;

  beforeAll(async () => {
    platform = await TestPlatform.start('replicas', { replicas: 2 });
    socket = join(platform.workDir, 'control.sock');
    control = await serveControl(platform.platform, () => undefined, socket);
    user = await registerUser(platform.api);
  });

  afterAll(async () => {
    control?.close();
    await platform?.stop();
  });

  /** `./platform ps` and `./platform roll` as a user runs them: the CLI, talking to the control socket. */
  const cli = (...args: string[]) =>
    run(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', join(REPO_ROOT, 'tools', 'local-platform', 'src', 'cli.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, PLATFORM_CONTROL_SOCKET: socket },
      timeout: 180_000,
    });
  const ps = async () => JSON.parse((await cli('ps', '--json')).stdout) as ReplicaRow[];
  const ofService = (rows: ReplicaRow[], service: string) => rows.filter((row) => row.service === service);

  it('lists two ready replicas of every service, each with ports of its own and its version, and serves the API through the balancers', async () => {
    const rows = await ps();
    expect(rows.map((row) => row.service).sort()).toEqual([...SERVICES, ...SERVICES].sort());
    expect(rows.every((row) => row.ready && typeof row.pid === 'number')).toBe(true);
    expect(new Set(rows.flatMap((row) => [row.port, row.managementPort])).size).toBe(16);
    for (const service of SERVICES) {
      const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', service, 'package.json'), 'utf8')) as { version: string };
      expect(ofService(rows, service).map((row) => row.version)).toEqual([version, version]);
    }
    for (const row of rows) expect((await fetch(`http://127.0.0.1:${row.managementPort}/health/ready`)).status).toBe(200);
    expect((await platform.api.post('/orders', anOrder, { token: user.accessToken })).status).toBe(201);
    // Not a replica's port: the balancer's.
    expect(rows.map((row) => row.port)).not.toContain(Number(new URL(platform.url('gateway')).port));
  });

  it('starts a replica that exits again, on the same port, while the other one serves', async () => {
    const [victim] = ofService(await ps(), 'order-service');
    process.kill(victim.pid as number, 'SIGKILL');
    expect((await platform.api.get('/orders', { token: user.accessToken })).status).toBe(200);
    await eventually(async () => {
      const back = ofService(await ps(), 'order-service').find((row) => row.port === victim.port);
      expect(back).toEqual(expect.objectContaining({ ready: true, pid: expect.any(Number) }));
      expect(back?.pid).not.toBe(victim.pid);
    }, 60_000, 500);
  });

  it('rolls a service one replica at a time while every request is answered', async () => {
    const before = ofService(await ps(), 'order-service');
    const statuses: number[] = [];
    let rolling = true;
    const traffic = (async () => {
      for (let i = 0; rolling; i++) {
        const read = await platform.api.get('/orders?limit=5', { token: user.accessToken });
        const placed = await platform.api.post('/orders', anOrder, { token: user.accessToken, headers: { 'idempotency-key': `roll-${i}` } });
        statuses.push(read.status, placed.status);
      }
    })();
    const rolled = await cli('roll', 'order-service').finally(() => (rolling = false));
    await traffic;

    expect(rolled.stdout).toMatch(/^done: order-service runs /m);
    const after = ofService(await ps(), 'order-service');
    expect(after).toHaveLength(2);
    expect(after.every((row) => row.ready)).toBe(true);
    expect(after.map((row) => row.pid).filter((pid) => before.some((old) => old.pid === pid))).toEqual([]);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 200 && status !== 201)).toEqual([]);
  });
});
