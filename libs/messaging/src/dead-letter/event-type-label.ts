import { EventCatalog } from '@platform/contracts';

const KNOWN_TYPES = new Set(EventCatalog.map((definition) => definition.type));

/** Label value for an event type: catalog types only, so senders cannot blow up metric cardinality. */
export function eventTypeLabel(type: string | undefined): string {
  return type && KNOWN_TYPES.has(type) ? type : 'unknown';
}
