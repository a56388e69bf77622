import { AdaptiveLimit } from './adaptive-limit';

describe('AdaptiveLimit', () => {
  const limit = () => new AdaptiveLimit({ min: 4, max: 100, targetLatencyMs: 250 });

  it('starts at the maximum and stays there while answers are fast', () => {
    const adaptive = limit();
    for (let i = 0; i < 50; i++) adaptive.answered(20, 80);
    expect(adaptive.current).toBe(100);
  });

  it('comes down by a tenth for each slow answer, never below the minimum', () => {
    const adaptive = limit();
    adaptive.answered(400, 100);
    expect(adaptive.current).toBe(90);
    for (let i = 0; i < 100; i++) adaptive.answered(400, 100);
    expect(adaptive.current).toBe(4);
  });

  it('grows back one at a time once answers are fast again, only while it is at least half used', () => {
    const adaptive = limit();
    for (let i = 0; i < 100; i++) adaptive.answered(400, 100);
    adaptive.answered(20, 1); // barely used: no reason to grow
    expect(adaptive.current).toBe(4);
    for (let i = 0; i < 10; i++) adaptive.answered(20, adaptive.current);
    expect(adaptive.current).toBe(14);
  });
});
