// Per-event timelines, the same for the platform (its services' GET /debug/event-timeline) and the
// bare pipeline (its two processes): when each event passed each step, as wall-clock ms.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from './load.ts';

/** The steps, in the order an event passes them (the names the services' EventTimeline uses). */
export const STEPS = ['committed', 'notified', 'claimed', 'produceSent', 'acked', 'relayCommitted', 'fetched', 'handlerStart', 'begun', 'stored'] as const;
export type Step = (typeof STEPS)[number];
export type TimelineEntry = Partial<Record<Step, number>>;
export type Timelines = Record<string, TimelineEntry>;

export const wallClock = () => performance.timeOrigin + performance.now();

/** What one process records: bounded, by event id. */
export class TimelineRecorder {
  readonly entries = new Map<string, TimelineEntry>();

  mark(eventId: string, step: Step, at = wallClock()): void {
    let entry = this.entries.get(eventId);
    if (!entry) this.entries.set(eventId, (entry = {}));
    entry[step] ??= at;
  }

  since(since: number): Timelines {
    const found: Timelines = {};
    for (const [id, entry] of this.entries) if (Object.values(entry).some((at) => at >= since)) found[id] = entry;
    return found;
  }
}

/** The producer's and the consumer's halves of each event, joined by event id. */
export function joinTimelines(...parts: Timelines[]): Timelines {
  const joined: Timelines = {};
  for (const part of parts) for (const [id, entry] of Object.entries(part)) joined[id] = { ...joined[id], ...entry };
  return joined;
}

export interface Gap {
  p50Ms: number;
  p99Ms: number;
}

/** The gaps the report shows: consecutive steps along the event's path, plus the two the relay does beside it. */
export const GAPS: { name: string; from: Step; to: Step }[] = [
  { name: 'commit → NOTIFY received by the relay', from: 'committed', to: 'notified' },
  { name: 'NOTIFY → rows claimed', from: 'notified', to: 'claimed' },
  { name: 'claimed → handed to kafkajs', from: 'claimed', to: 'produceSent' },
  { name: 'handed to kafkajs → consumer fetch returns it', from: 'produceSent', to: 'fetched' },
  { name: 'fetched → handling starts', from: 'fetched', to: 'handlerStart' },
  { name: 'handling starts → transaction begun (pool, BEGIN)', from: 'handlerStart', to: 'begun' },
  { name: 'transaction begun → committed', from: 'begun', to: 'stored' },
  { name: '(relay) handed to kafkajs → broker ack', from: 'produceSent', to: 'acked' },
  { name: '(relay) ack → "sent" mark committed', from: 'acked', to: 'relayCommitted' },
];

export interface TimelineSummary extends Gap {
  events: number;
  gaps: (Gap & { name: string; events: number })[];
}

/**
 * Latency commit → stored of the complete timelines, and each gap. A NOTIFY that came before the
 * event committed woke a pass that found the event anyway: that gap counts from the commit.
 */
export function summarize(timelines: Timelines, committedSince: number): TimelineSummary {
  const complete = Object.values(timelines).filter((entry) => entry.committed !== undefined && entry.committed >= committedSince && entry.stored !== undefined);
  const at = (entry: TimelineEntry, step: Step) => (step === 'notified' ? Math.max(entry.notified ?? entry.committed!, entry.committed!) : entry[step]);
  const gap = (values: number[]): Gap => ({ p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) });
  return {
    events: complete.length,
    ...gap(complete.map((entry) => entry.stored! - entry.committed!)),
    gaps: GAPS.map(({ name, from, to }) => {
      const values = complete.filter((entry) => at(entry, from) !== undefined && at(entry, to) !== undefined).map((entry) => at(entry, to)! - at(entry, from)!);
      return { name, events: values.length, ...gap(values) };
    }),
  };
}

/** The interval monitorEventLoopDelay samples at here and in prom-client: each sample is this plus the delay. */
export const EVENT_LOOP_SAMPLING_MS = 10;

/** Event-loop delay of this process over a window, beyond the sampling interval (as the services' prom-client measures it). */
export function eventLoopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLING_MS });
  histogram.enable();
  const beyond = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - EVENT_LOOP_SAMPLING_MS);
  return {
    reset: () => histogram.reset(),
    read: () => ({ p50Ms: beyond(histogram.percentile(50)), p99Ms: beyond(histogram.percentile(99)), maxMs: beyond(histogram.max) }),
  };
}
