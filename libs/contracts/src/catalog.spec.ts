import { decodeEvent, EventCatalog, findEventDefinition } from './catalog';
import { createEvent, parseEventMessage, toEventMessage } from './cloud-event';
import { EventRejectedError } from './errors';
import { UserRegistered } from './users/user-registered.event';

const registered = { userId: '2b0c8d54-5d7e-4c0e-9b7a-7f4d6f0f2b11', email: 'ada@example.com', displayName: 'Ada', registeredAt: '2026-11-23T10:00:00.000Z' };

function rejection(run: () => unknown): EventRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventRejectedError) return error;
    throw error;
  }
  throw new Error('expected the event to be rejected');
}

describe('event catalog', () => {
  it('lists every event type of the spec, each with one topic, a producer and a key', () => {
    expect(EventCatalog.map((definition) => `${definition.type}@v${definition.version}`).sort()).toEqual([
      'order.cancelled@v1',
      'order.confirmed@v1',
      'order.created@v1',
      'order.delivered@v1',
      'order.rejected@v1',
      'order.shipped@v1',
      'user.deleted@v1',
      'user.registered@v1',
      'user.updated@v1',
    ]);
    for (const definition of EventCatalog) {
      expect(definition.topic).toMatch(/^platform\./);
      expect(definition.producer).toMatch(/-service$/);
    }
  });

  it('has no service consume its own events: a fact is decided where it is written, not again on its way back', () => {
    const selfConsumed = EventCatalog.filter((definition) => definition.consumers.includes(definition.producer)).map((definition) => definition.type);
    expect(selfConsumed).toEqual([]);
  });

  it('round-trips an event through the Kafka binary-mode message', () => {
    const event = createEvent(UserRegistered, registered, '/user-service');
    const message = toEventMessage(event);

    expect(message.key).toBe(registered.userId);
    expect(message.headers).toEqual(expect.objectContaining({ ce_specversion: '1.0', ce_type: 'user.registered', ce_dataversion: '1', ce_source: '/user-service', 'content-type': 'application/json' }));
    const decoded = decodeEvent(parseEventMessage({ key: message.key, value: Buffer.from(message.value), headers: message.headers }));
    expect(decoded.event).toEqual(event);
  });

  it('refuses to create an event whose payload breaks the contract', () => {
    const error = rejection(() => createEvent(UserRegistered, { ...registered, email: 'nope' }, '/user-service'));
    expect(error.reason).toBe('invalid-payload');
    expect(error.message).toContain('email');
  });

  it('drops fields the contract does not know (a newer producer may add some)', () => {
    const { event } = decodeEvent({ ...createEvent(UserRegistered, registered, '/user-service'), data: { ...registered, nickname: 'ada' } });
    expect(event.data).toEqual(registered);
  });

  it.each([
    ['malformed-json', { value: '{not json', headers: { ce_specversion: '1.0', ce_id: '1', ce_source: '/x', ce_type: 'user.registered' } }],
    ['malformed-envelope', { value: '{}', headers: { ce_id: '1', ce_source: '/x', ce_type: 'user.registered' } }],
    ['malformed-envelope', { value: '{}', headers: { ce_specversion: '1.0', ce_source: '/x', ce_type: 'user.registered' } }],
    ['malformed-envelope', { value: '{}', headers: { ce_specversion: '1.0', ce_id: '1', ce_source: '/x', ce_type: 'user.registered', 'content-type': 'text/xml' } }],
  ])('rejects a message as %s', (reason, message) => {
    expect(rejection(() => parseEventMessage(message)).reason).toBe(reason);
  });

  it('tells an unknown type from an unknown version of a known type', () => {
    expect(rejection(() => findEventDefinition('user.teleported', 1)).reason).toBe('unknown-type');
    expect(rejection(() => findEventDefinition('user.registered', 99)).reason).toBe('unknown-version');
  });
});
