import { jsonTextTooDeep, jsonValueProblem } from './json-depth';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON nesting bound', () => {
  it('measures the bytes without parsing or recursing, ignoring brackets inside strings', () => {
    expect(jsonTextTooDeep(nested(32), 32)).toBe(false);
    expect(jsonTextTooDeep(nested(33), 32)).toBe(true);
    expect(jsonTextTooDeep(`{"a":[{"b":"${'['.repeat(100)}\\"[["}]}`, 3)).toBe(false);
    expect(jsonTextTooDeep(Buffer.from(`{"items":[{"sku":${nested(200_000)}}]}`), 32)).toBe(true);
  });

  it('measures a parsed value with an explicit stack (a depth that overflows recursion is fine)', () => {
    expect(jsonValueProblem({ currency: 'EUR', items: [{ sku: 'A', quantity: 1 }] }, 3)).toBeUndefined();
    expect(jsonValueProblem({ items: [{ sku: [] }] }, 3)).toMatch(/deeper than 3 levels/);
    expect(jsonValueProblem('text', 1)).toBeUndefined();
    expect(jsonValueProblem(JSON.parse(`{"items":[{"sku":${nested(200_000)}}]}`), 32)).toMatch(/deeper than 32 levels/);
  });

  it('refuses text that is not well-formed Unicode, in values and in field names', () => {
    expect(jsonValueProblem(JSON.parse('{"email":"a\\ud800@b.co"}'), 32)).toMatch(/lone surrogate/);
    expect(jsonValueProblem(JSON.parse('{"a":[{"\\udc00":1}]}'), 32)).toMatch(/field name/);
    expect(jsonValueProblem(JSON.parse('{"a":"\\ud83d\\ude00"}'), 32)).toBeUndefined();
  });
});
