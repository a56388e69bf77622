import { queuedMs } from './request-start';

describe('queuedMs (X-Request-Start)', () => {
  const now = 1_765_000_000_000;

  it('reads microseconds (HAProxy date(0,us)), milliseconds and seconds since the epoch', () => {
    expect(queuedMs(`t=${(now - 120) * 1_000}`, now)).toBe(120);
    expect(queuedMs(`t=${now - 120}`, now)).toBe(120);
    expect(queuedMs(`t=${(now - 1_500) / 1_000}`, now)).toBeCloseTo(1_500, 3);
  });

  it('counts a stamp a little in the future (clocks a little apart) as no wait', () => {
    expect(queuedMs(`t=${now + 5}`, now)).toBe(0);
  });

  it('ignores a missing, malformed or unbelievable stamp', () => {
    expect(queuedMs(undefined, now)).toBeUndefined();
    expect(queuedMs('120', now)).toBeUndefined();
    expect(queuedMs('t=abc', now)).toBeUndefined();
    expect(queuedMs(`t=${now - 3_600_000}`, now)).toBeUndefined();
    expect(queuedMs(`t=${now + 3_600_000}`, now)).toBeUndefined();
  });
});
