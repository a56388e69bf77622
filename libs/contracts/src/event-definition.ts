import type { ClassConstructor } from 'class-transformer';
import type { Topic } from './topics';

/** A versioned event type of the catalog: what it is called, where it goes, what it carries. */
export interface EventDefinition<TPayload extends object = object> {
  /** CloudEvents `type`, e.g. `user.registered`. */
  readonly type: string;
  /** Payload schema version, sent as the CloudEvents extension attribute `dataversion`. */
  readonly version: number;
  readonly topic: Topic;
  readonly payload: ClassConstructor<TPayload>;
  /** The aggregate id: Kafka key and CloudEvents `subject`. */
  key(payload: TPayload): string;
  readonly producer: string;
  readonly consumers: readonly string[];
  readonly description: string;
}

export type PayloadOf<TDefinition> = TDefinition extends EventDefinition<infer TPayload> ? TPayload : never;

export function defineEvent<TPayload extends object>(definition: EventDefinition<TPayload>): EventDefinition<TPayload> {
  return Object.freeze(definition);
}

/** `user.registered@v1`: the string that identifies one version of one event type. */
export function eventKey(type: string, version: number): string {
  return `${type}@v${version}`;
}
