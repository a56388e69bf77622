import type { CloudEvent } from './cloud-event';
import { EventRejectedError } from './errors';
import { eventKey, type EventDefinition } from './event-definition';
import { OrderCreated } from './orders/order-created.event';
import { OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped } from './orders/order-status.events';
import { UserDeleted } from './users/user-deleted.event';
import { UserRegistered } from './users/user-registered.event';
import { UserUpdated } from './users/user-updated.event';
import { validatePayload } from './validation';

/** Every event type and version the platform knows. A new version is added here beside the old one. */
export const EventCatalog: readonly EventDefinition[] = [
  UserRegistered,
  UserUpdated,
  UserDeleted,
  OrderCreated,
  OrderConfirmed,
  OrderRejected,
  OrderCancelled,
  OrderShipped,
  OrderDelivered,
] as EventDefinition[];

const byKey = new Map(EventCatalog.map((definition) => [eventKey(definition.type, definition.version), definition]));

export function findEventDefinition(type: string, version: number): EventDefinition {
  const definition = byKey.get(eventKey(type, version));
  if (definition) return definition;
  if (EventCatalog.some((candidate) => candidate.type === type)) {
    throw new EventRejectedError('unknown-version', `${type} has no version ${version} in the catalog`);
  }
  throw new EventRejectedError('unknown-type', `event type ${JSON.stringify(type)} is not in the catalog`);
}

/** Resolves an incoming event against the catalog and validates its data. */
export function decodeEvent(event: CloudEvent<unknown>): { definition: EventDefinition; event: CloudEvent<object> } {
  const definition = findEventDefinition(event.type, event.dataversion);
  return { definition, event: { ...event, data: validatePayload(definition, event.data) } };
}
