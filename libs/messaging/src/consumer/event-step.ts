import { decodeEvent, eventKey, parseEventMessage, type CloudEvent } from '@platform/contracts';
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
 * Checks a message (envelope, type, version, payload against the catalog) and finds its handler.
 * Throws an EventRejectedError when the message breaks the contract: no retry can fix it.
 */
export function decodeStep(message: KafkaMessage, origin: EventOrigin, handlerFor: (key: string) => EventHandler | undefined): EventStep {
  const { definition, event } = decodeEvent(parseEventMessage(message));
  return { message, origin, event, handler: handlerFor(eventKey(definition.type, definition.version)) };
}
