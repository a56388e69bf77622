import { randomUUID } from 'node:crypto';
import { EventRejectedError } from './errors';
import { type EventDefinition, type PayloadOf } from './event-definition';
import { validatePayload } from './validation';

/** A CloudEvents 1.0 event with a JSON payload and the platform's `dataversion` extension. */
export interface CloudEvent<TData = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataversion: number;
  readonly data: TData;
}

/** Kafka headers of CloudEvents binary mode (`ce_` prefix), plus the content type. */
export const CloudEventHeaders = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  subject: 'ce_subject',
  time: 'ce_time',
  dataversion: 'ce_dataversion',
  contentType: 'content-type',
} as const;

export interface EventMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Builds a validated event; throws EventRejectedError('invalid-payload') if the payload breaks the contract. */
export function createEvent<TDefinition extends EventDefinition>(
  definition: TDefinition,
  payload: PayloadOf<TDefinition>,
  source: string,
  options: { id?: string; time?: Date } = {},
): CloudEvent<PayloadOf<TDefinition>> {
  const data = validatePayload(definition, payload);
  return {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source,
    type: definition.type,
    subject: definition.key(data),
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    dataversion: definition.version,
    data,
  };
}

/** CloudEvents Kafka binary mode: attributes in headers, data as the JSON value, subject as key. */
export function toEventMessage(event: CloudEvent): EventMessage {
  return {
    key: event.subject,
    value: JSON.stringify(event.data),
    headers: {
      [CloudEventHeaders.specversion]: event.specversion,
      [CloudEventHeaders.id]: event.id,
      [CloudEventHeaders.source]: event.source,
      [CloudEventHeaders.type]: event.type,
      [CloudEventHeaders.subject]: event.subject,
      [CloudEventHeaders.time]: event.time,
      [CloudEventHeaders.dataversion]: String(event.dataversion),
      [CloudEventHeaders.contentType]: event.datacontenttype,
    },
  };
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export interface IncomingEventMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
}

export function headerString(headers: Record<string, HeaderValue> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const single = Array.isArray(value) ? value[value.length - 1] : value;
  return single === undefined ? undefined : single.toString();
}

/**
 * Reads a CloudEvent out of a Kafka message without judging its payload.
 * Throws EventRejectedError for anything that is not a well-formed binary-mode JSON event.
 */
export function parseEventMessage(message: IncomingEventMessage): CloudEvent<unknown> {
  const read = (name: string) => headerString(message.headers, name);
  const specversion = read(CloudEventHeaders.specversion);
  if (specversion !== '1.0') {
    throw new EventRejectedError('malformed-envelope', `ce_specversion must be "1.0", got ${JSON.stringify(specversion)}`);
  }
  const required = { id: read(CloudEventHeaders.id), source: read(CloudEventHeaders.source), type: read(CloudEventHeaders.type) };
  for (const [name, value] of Object.entries(required)) {
    if (!value) throw new EventRejectedError('malformed-envelope', `header ce_${name} is missing`);
  }
  const contentType = read(CloudEventHeaders.contentType) ?? 'application/json';
  if (!contentType.startsWith('application/json')) {
    throw new EventRejectedError('malformed-envelope', `content-type must be application/json, got ${contentType}`);
  }
  const dataversion = Number(read(CloudEventHeaders.dataversion) ?? '1');
  if (!Number.isInteger(dataversion) || dataversion < 1) {
    throw new EventRejectedError('malformed-envelope', `ce_dataversion must be a positive integer`);
  }
  let data: unknown;
  try {
    data = JSON.parse(message.value?.toString() ?? '');
  } catch (error) {
    throw new EventRejectedError('malformed-json', `value is not JSON: ${(error as Error).message}`);
  }
  return {
    specversion: '1.0',
    id: required.id as string,
    source: required.source as string,
    type: required.type as string,
    subject: read(CloudEventHeaders.subject) ?? message.key?.toString() ?? '',
    time: read(CloudEventHeaders.time) ?? new Date(0).toISOString(),
    datacontenttype: 'application/json',
    dataversion,
    data,
  };
}
