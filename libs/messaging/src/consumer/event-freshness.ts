import { EventCatalog } from '@platform/contracts';
import { histogram } from '@platform/observability';
import type { KafkaMessage } from 'kafkajs';

const freshness = histogram(
  'event_freshness_seconds',
  "From an event's time (ce_time, set in the transaction that wrote it) to its consumer being done with it: the event-freshness SLO's measure.",
  ['consumer_group', 'event_type'],
  [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
);
const knownTypes = new Set(EventCatalog.map((definition) => definition.type));

/** Observes the messages of a batch the consumer is done with (handled, skipped or dead-lettered). */
export function observeFreshness(group: string, messages: Pick<KafkaMessage, 'headers'>[], now = Date.now()): void {
  for (const { headers } of messages) {
    const time = Date.parse(String(headers?.['ce_time'] ?? ''));
    if (Number.isNaN(time)) continue;
    // A poison message's type is whatever it says: only catalog types become label values.
    const type = String(headers?.['ce_type'] ?? '');
    freshness.observe({ consumer_group: group, event_type: knownTypes.has(type) ? type : 'unknown' }, Math.max(0, now - time) / 1000);
  }
}
