import { eventKey, findEventDefinition, parseEventMessage, validatePayload, type CloudEvent } from '@platform/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { EventOrigin } from '../kafka/event-origin';
import type { EventContext } from './event-context';

/** Runs one handler for one event inside the given transaction; resolves when its effect is done. */
export type EventHandler = (event: CloudEvent<object>, context: EventContext) => Promise<void>;

/** A message of a batch, decoded and paired with its handler (none: a known event this service does not consume). */
export interface EventStep {
  message: KafkaMessage;
  origin: EventOrigin;
  event: CloudEvent<object>;
  handler?: EventHandler;
}

/**
 * Checks a message (envelope, then type and version against the catalog), finds its handler, and
 * validates the payload of an event it handles. Throws an EventRejectedError when the message
 * breaks the contract: no retry can fix it. A known event this service does not consume is passed
 * on unvalidated: its payload is its consumers' to check (half of platform.orders, for
 * notification-service, is order.created).
 */
export function decodeStep(message: KafkaMessage, origin: EventOrigin, handlerFor: (key: string) => EventHandler | undefined): EventStep {
  const event = parseEventMessage(message);
  const definition = findEventDefinition(event.type, event.dataversion);
  const handler = handlerFor(eventKey(definition.type, definition.version));
  if (!handler) return { message, origin, event: event as CloudEvent<object> };
  return { message, origin, event: { ...event, data: validatePayload(definition, event.data) }, handler };
}
