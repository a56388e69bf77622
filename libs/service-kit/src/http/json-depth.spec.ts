import { jsonTextTooDeep, jsonValueTooDeep } from './json-depth';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON nesting bound', () => {
  it('measures the bytes without parsing or recursing, ignoring brackets inside strings', () => {
    expect(jsonTextTooDeep(nested(32), 32)).toBe(false);
    expect(jsonTextTooDeep(nested(33), 32)).toBe(true);
    expect(jsonTextTooDeep(`{"a":[{"b":"${'['.repeat(100)}\\"[["}]}`, 3)).toBe(false);
    expect(jsonTextTooDeep(Buffer.from(`{"items":[{"sku":${nested(200_000)}}]}`), 32)).toBe(true);
  });

  it('measures a parsed value with an explicit stack (a depth that overflows recursion is fine)', () => {
    expect(jsonValueTooDeep({ currency: 'EUR', items: [{ sku: 'A', quantity: 1 }] }, 3)).toBe(false);
    expect(jsonValueTooDeep({ items: [{ sku: [] }] }, 3)).toBe(true);
    expect(jsonValueTooDeep('text', 1)).toBe(false);
    expect(jsonValueTooDeep(JSON.parse(`{"items":[{"sku":${nested(200_000)}}]}`), 32)).toBe(true);
  });
});
