import { entityTag, noneMatch } from './http-caching';

describe('HTTP caching validators', () => {
  it('tags the same bytes the same way and other bytes differently', () => {
    expect(entityTag('{"a":1}')).toBe(entityTag(Buffer.from('{"a":1}')));
    expect(entityTag('{"a":1}')).not.toBe(entityTag('{"a":2}'));
    expect(entityTag('{}')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it('compares If-None-Match weakly, against every listed tag and *', () => {
    const tag = entityTag('x');
    expect(noneMatch(undefined, tag)).toBe(true);
    expect(noneMatch('"other"', tag)).toBe(true);
    expect(noneMatch(tag, tag)).toBe(false);
    expect(noneMatch(`"other", W/${tag}`, tag)).toBe(false);
    expect(noneMatch('*', tag)).toBe(false);
  });
});
