import { readFileSync } from 'node:fs';
import pg from 'pg';
import { scrape, sleep, sumOf, type LocalPlatform } from '@platform/local-platform';

/** One look at one process. */
export interface ProcessSample {
  process: string;
  at: number;
  rssMb: number;
  /** What the RSS is made of, from /proc: private memory (heaps, malloc) and mapped files (code, Kafka's indexes). */
  anonMb?: number;
  fileMb?: number;
  /** Node processes: V8 heap in use and reserved, memory held outside it (Buffers), and open handles (sockets, timers, files). */
  heapMb?: number;
  heapTotalMb?: number;
  externalMb?: number;
  /** V8's reserved heap by space (new, old, code, large_object…): which of them grows. */
  heapSpacesMb?: Record<string, number>;
  handles?: number;
  /** Gateways: API requests shed so far, by reason (gateway_requests_shed_total). */
  shed?: Record<string, number>;
}

export interface SoakSamples {
  processes: ProcessSample[];
  /** Connections to the platform's database, per role, at each look. */
  connections: { at: number; byRole: Record<string, number> }[];
}

const MB = 1024 * 1024;

/** Resident memory of a process, whole and in its parts (private, file-backed), from /proc. */
function residentOf(pid: number | undefined): { rssMb: number; anonMb: number; fileMb: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
    const resident = { rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile') + mb('RssShmem') };
    return Number.isNaN(resident.rssMb) ? undefined : resident;
  } catch {
    return undefined;
  }
}

/**
 * Looks at every process every `intervalMs` until stopped: each replica through its /metrics
 * (RSS, heap in use, open handles), the Kafka nodes and the balancer through /proc, and the
 * database's connections per role.
 */
export function sampleProcesses(platform: LocalPlatform, intervalMs: number): { stop(): Promise<SoakSamples> } {
  const samples: SoakSamples = { processes: [], connections: [] };
  let sampling = true;
  const { database } = platform.wiring;
  const loop = (async () => {
    while (sampling) {
      const at = Date.now();
      for (const replica of await platform.replicaList()) {
        const metrics = await scrape(`http://127.0.0.1:${replica.managementPort}`).catch(() => undefined);
        if (!metrics) continue;
        samples.processes.push({
          process: replica.name,
          at,
          ...(residentOf(replica.pid) ?? { rssMb: sumOf(metrics, 'process_resident_memory_bytes') / MB }),
          heapMb: sumOf(metrics, 'nodejs_heap_size_used_bytes') / MB,
          heapTotalMb: sumOf(metrics, 'nodejs_heap_size_total_bytes') / MB,
          externalMb: sumOf(metrics, 'nodejs_external_memory_bytes') / MB,
          heapSpacesMb: Object.fromEntries(metrics.filter((sample) => sample.name === 'nodejs_heap_space_size_total_bytes').map((sample) => [sample.labels['space'], sample.value / MB])),
          handles: sumOf(metrics, 'nodejs_active_handles_total'),
          ...(replica.service === 'gateway' ? { shed: Object.fromEntries(metrics.filter((sample) => sample.name === 'gateway_requests_shed_total').map((sample) => [sample.labels['reason'], sample.value])) } : {}),
        });
      }
      const others: [string, number | undefined][] = [
        ...(platform.kafkaCluster?.nodes.map((node): [string, number | undefined] => [`kafka-${node.id}`, node.process.pid]) ?? []),
        ['balancer', platform.balancer?.process.pid],
      ];
      for (const [name, pid] of others) {
        const resident = residentOf(pid);
        if (resident) samples.processes.push({ process: name, at, ...resident });
      }
      const client = new pg.Client({ host: database.host, port: database.port, user: database.adminUser, database: database.name });
      try {
        await client.connect();
        const { rows } = await client.query<{ role: string; n: number }>('SELECT usename AS role, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename <> $1 GROUP BY usename', [database.adminUser]);
        samples.connections.push({ at, byRole: Object.fromEntries(rows.map((row) => [row.role, row.n])) });
      } catch {
        // the database is away for a moment; the next look counts
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - at)));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return samples;
    },
  };
}

/** Least-squares slope of (ms, value) points, per hour. */
function slopePerHour(points: { at: number; value: number }[]): number {
  if (points.length < 3) return 0;
  const n = points.length;
  const meanT = points.reduce((sum, point) => sum + point.at, 0) / n;
  const meanV = points.reduce((sum, point) => sum + point.value, 0) / n;
  const covariance = points.reduce((sum, point) => sum + (point.at - meanT) * (point.value - meanV), 0);
  const variance = points.reduce((sum, point) => sum + (point.at - meanT) ** 2, 0);
  return variance === 0 ? 0 : (covariance / variance) * 3_600_000;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The parts of a look whose trend is reported, beside the RSS and the heap in use (heapSlopeMbPerHour). */
const PARTS = ['anonMb', 'fileMb', 'heapTotalMb', 'externalMb'] as const;

/**
 * After the warm-up: each process's RSS and heap trend in MB per hour (a least-squares line
 * through its looks), the trend of each part of its memory (to tell V8's heap from malloc and
 * mapped files when the RSS grows), its open handles and the database connections first and last.
 */
export function slopes(samples: SoakSamples, warmUpMs: number) {
  const start = Math.min(...samples.processes.map((sample) => sample.at)) + warmUpMs;
  const settled = samples.processes.filter((sample) => sample.at >= start);
  const names = [...new Set(settled.map((sample) => sample.process))].sort();
  const of = (name: string) => settled.filter((sample) => sample.process === name);
  const trendBy = (name: string, value: (sample: ProcessSample) => number | undefined) => round(slopePerHour(of(name).map((sample) => ({ at: sample.at, value: value(sample) ?? 0 }))));
  const trendOf = (name: string, part: 'rssMb' | 'heapMb' | (typeof PARTS)[number]) => trendBy(name, (sample) => sample[part]);
  const rssSlopeMbPerHour = Object.fromEntries(names.map((name) => [name, trendOf(name, 'rssMb')]));
  const heapSlopeMbPerHour = Object.fromEntries(names.filter((name) => of(name)[0]?.heapMb !== undefined).map((name) => [name, trendOf(name, 'heapMb')]));
  const partSlopesMbPerHour = Object.fromEntries(
    names.map((name) => [name, Object.fromEntries(PARTS.filter((part) => of(name)[0]?.[part] !== undefined).map((part) => [part.replace(/Mb$/, ''), trendOf(name, part)]))]),
  );
  // V8's reserved heap space by space, where the reserved heap grows (heapTotal's parts).
  const heapSpaceSlopesMbPerHour = Object.fromEntries(
    names
      .filter((name) => of(name)[0]?.heapSpacesMb !== undefined)
      .map((name) => [name, Object.fromEntries(Object.keys(of(name)[0].heapSpacesMb ?? {}).map((space) => [space, trendBy(name, (sample) => sample.heapSpacesMb?.[space])]))]),
  );
  const handles = Object.fromEntries(
    names.filter((name) => of(name)[0]?.handles !== undefined).map((name) => [name, { first: of(name)[0].handles, last: of(name).at(-1)?.handles }]),
  );
  const connections = samples.connections.filter((look) => look.at >= start);
  // Shed by the gateways over the whole soak (the edge's own 503s are the failures not counted here).
  const shedByGateways: Record<string, number> = {};
  for (const name of new Set(samples.processes.filter((sample) => sample.shed).map((sample) => sample.process))) {
    const looks = samples.processes.filter((sample) => sample.process === name && sample.shed);
    for (const [reason, count] of Object.entries(looks.at(-1)?.shed ?? {})) shedByGateways[reason] = (shedByGateways[reason] ?? 0) + count - (looks[0].shed?.[reason] ?? 0);
  }
  return {
    rssSlopeMbPerHour,
    heapSlopeMbPerHour,
    partSlopesMbPerHour,
    heapSpaceSlopesMbPerHour,
    rssMb: Object.fromEntries(names.map((name) => [name, { first: round(of(name)[0].rssMb), last: round(of(name).at(-1)?.rssMb ?? 0) }])),
    handles,
    shedByGateways,
    databaseConnections: { first: connections[0]?.byRole, last: connections.at(-1)?.byRole },
  };
}
