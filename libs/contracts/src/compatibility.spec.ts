import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, EventCatalog } from './catalog';
import { parseEventMessage } from './cloud-event';
import { eventKey } from './event-definition';

const EXAMPLES = join(__dirname, '..', 'examples');
const README = join(__dirname, '..', 'README.md');

interface RecordedMessage {
  key: string;
  headers: Record<string, string>;
  value: string;
}

const recorded = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, message: JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as RecordedMessage }));

describe('contract compatibility', () => {
  it.each(recorded.map(({ file, message }) => [file, message] as const))('today’s catalog still accepts the recorded %s', (file, message) => {
    const { definition, event } = decodeEvent(parseEventMessage({ key: message.key, value: Buffer.from(message.value), headers: message.headers }));

    expect(file).toBe(`${definition.type}.v${definition.version}.json`);
    expect(event.data).toEqual(JSON.parse(message.value));
    expect(message.key).toBe(definition.key(event.data));
  });

  it('has a recorded example of every version in the catalog', () => {
    const examples = new Set(recorded.map(({ file }) => file));
    const missing = EventCatalog.map((definition) => `${definition.type}.v${definition.version}.json`).filter((file) => !examples.has(file));
    expect(missing).toEqual([]);
  });

  it('documents every catalog entry in the README with its topic, producer and consumers', () => {
    const readme = readFileSync(README, 'utf8');
    for (const definition of EventCatalog) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${definition.type}\` | ${definition.version} |`));
      expect({ event: eventKey(definition.type, definition.version), row }).toEqual({ event: eventKey(definition.type, definition.version), row: expect.any(String) });
      expect(row).toContain(`\`${definition.topic}\``);
      expect(row).toContain(definition.producer);
      for (const consumer of definition.consumers) expect(row).toContain(consumer);
    }
  });
});
