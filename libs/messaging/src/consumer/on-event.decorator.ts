import { EventPattern } from '@nestjs/microservices';
import { eventKey, type EventDefinition } from '@platform/contracts';

/**
 * Marks a method as the handler of one version of one event type. It receives the validated
 * CloudEvent (`@Payload()`) and an EventContext (`@Ctx()`).
 */
export const OnEvent = (definition: EventDefinition): MethodDecorator => EventPattern(eventKey(definition.type, definition.version));
