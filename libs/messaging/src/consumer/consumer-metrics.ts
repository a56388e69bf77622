import { counter } from '@platform/observability';

/** What a consumer counts per event: its outcome, and attempts that failed and were retried. */
export const consumerMetrics = {
  handled: counter('events_handled_total', 'Events a consumer took in, by outcome: handled, duplicate (seen before), ignored (not for it).', ['consumer_group', 'event_type', 'outcome']),
  retried: counter('events_retried_total', 'Handler attempts that failed and were retried.', ['consumer_group', 'event_type', 'cause']),
};
