import { WakeableSleep } from './wakeable-sleep';

describe('WakeableSleep', () => {
  it('ends a sleep early when woken', async () => {
    const sleeper = new WakeableSleep();
    const started = Date.now();
    const sleeping = sleeper.sleep(10_000);
    setTimeout(() => sleeper.wake(), 10);
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('remembers a wake-up that came while awake, so no notification is lost', async () => {
    const sleeper = new WakeableSleep();
    sleeper.wake();
    const started = Date.now();
    await sleeper.sleep(10_000);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
