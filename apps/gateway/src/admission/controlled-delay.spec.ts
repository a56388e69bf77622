import { ControlledDelay } from './controlled-delay';

describe('ControlledDelay', () => {
  const bounds = { maxQueueMs: 250, intervalMs: 1_000 };

  it('sheds past maxQueueMs while the queue has not been seen empty (no request yet, or none for an interval)', () => {
    const delay = new ControlledDelay(bounds);
    expect(delay.shed(240, 0)).toBe(false);
    expect(delay.shed(260, 10)).toBe(true);

    expect(delay.shed(5, 100)).toBe(false); // empty at 100
    expect(delay.shed(600, 1_101)).toBe(true); // not empty since: standing
    expect(delay.shed(200, 1_150)).toBe(false);
  });

  it('serves what waited through a stall when the queue was short within the interval, up to twice maxQueueMs', () => {
    const delay = new ControlledDelay(bounds);
    expect(delay.shed(2, 0)).toBe(false);
    // A 450 ms stall: everything read after it waited up to 450 ms.
    expect(delay.shed(450, 500)).toBe(false);
    expect(delay.shed(300, 510)).toBe(false);
    expect(delay.shed(600, 520)).toBe(true);
    // Worked off: requests find the queue short again.
    expect(delay.shed(20, 800)).toBe(false);
    expect(delay.shed(490, 1_700)).toBe(false);
  });

  it('counts a request that waited at most half of maxQueueMs as finding the queue short', () => {
    const delay = new ControlledDelay(bounds);
    expect(delay.shed(126, 0)).toBe(false);
    expect(delay.shed(300, 10)).toBe(true);
    expect(delay.shed(125, 20)).toBe(false);
    expect(delay.shed(300, 30)).toBe(false);
  });

  it('never sheds below maxQueueMs, even with an interval shorter than it', () => {
    const delay = new ControlledDelay({ maxQueueMs: 250, intervalMs: 100 });
    expect(delay.shed(0, 0)).toBe(false);
    expect(delay.shed(240, 50)).toBe(false);
    expect(delay.shed(240, 500)).toBe(false);
  });
});
