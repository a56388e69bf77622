import { metricsRegistry } from '@platform/observability';
import { observeFreshness } from './event-freshness';

describe('observeFreshness', () => {
  it('observes the time from each event\'s ce_time to now, by group and catalog type (anything else is "unknown")', async () => {
    const now = Date.parse('2026-12-01T10:00:03.000Z');
    observeFreshness('notification-service', [
      { headers: { ce_type: Buffer.from('order.confirmed'), ce_time: Buffer.from('2026-12-01T10:00:02.500Z') } },
      { headers: { ce_type: Buffer.from('order.confirmed'), ce_time: Buffer.from('2026-12-01T09:59:58.000Z') } },
      { headers: { ce_type: Buffer.from('rm -rf'), ce_time: Buffer.from('2026-12-01T10:00:02.000Z') } },
      { headers: { ce_type: Buffer.from('order.confirmed') } },
    ], now);
    const { values } = await metricsRegistry.getSingleMetric('event_freshness_seconds')!.get();
    const of = (name: string, labels: Record<string, string | number>) => (values as { metricName?: string; labels: Record<string, string | number>; value: number }[]).find((each) => each.metricName === name && Object.entries(labels).every(([key, value]) => each.labels[key] === value))?.value;
    const confirmed = { consumer_group: 'notification-service', event_type: 'order.confirmed' };
    expect(of('event_freshness_seconds_count', confirmed)).toBe(2);
    expect(of('event_freshness_seconds_sum', confirmed)).toBeCloseTo(5.5);
    expect(of('event_freshness_seconds_bucket', { ...confirmed, le: 2 })).toBe(1);
    expect(of('event_freshness_seconds_count', { consumer_group: 'notification-service', event_type: 'unknown' })).toBe(1);
  });
});
