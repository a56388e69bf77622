import { TransactionSlots } from './transaction-slots';

describe('TransactionSlots', () => {
  it('takes half of the pool, at least one', () => {
    expect(TransactionSlots.shareOf(10).size).toBe(5);
    expect(TransactionSlots.shareOf(11).size).toBe(5);
    expect(TransactionSlots.shareOf(1).size).toBe(1);
  });

  it('runs at most `size` pieces of work at once, the rest in the order they came', async () => {
    const slots = new TransactionSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const works = Array.from({ length: 5 }, (_, index) =>
      slots.run(async () => {
        started.push(index);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return index;
      }),
    );
    for (let done = 0; done < 5; done++) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.shift()!();
    }
    expect(await Promise.all(works)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the slot of work that failed', async () => {
    const slots = new TransactionSlots(1);
    await expect(slots.run(async () => Promise.reject(new Error('deadlock detected')))).rejects.toThrow('deadlock detected');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
