import type { Type } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { EventCatalog, eventKey } from '@platform/contracts';

/** The `type@vN` keys the @OnEvent handlers of these controllers handle. */
export function handledEventKeys(controllers: Type[]): string[] {
  return controllers
    .flatMap((controller) =>
      Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
        const patterns: unknown = Reflect.getMetadata(PATTERN_METADATA, controller.prototype[name]);
        return Array.isArray(patterns) ? patterns.map(String) : [];
      }),
    )
    .sort();
}

/** The `type@vN` keys the catalog says a service consumes. */
export function catalogEventKeysConsumedBy(service: string): string[] {
  return EventCatalog.filter((definition) => definition.consumers.includes(service))
    .map((definition) => eventKey(definition.type, definition.version))
    .sort();
}
