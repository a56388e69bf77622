import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('backs off exponentially within bounds', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const delay = backoffDelay(attempt, 200, 5_000);
      const ceiling = Math.min(5_000, 200 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
