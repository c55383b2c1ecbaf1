/** The shared Lambda runtime's mapPool (pool.ts). */
import { mapPool } from '../../rules/runtime/pool';

describe('mapPool', () => {
  it('returns results in input order with at most the given number in flight', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const work = async (n: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (n % 3) * 2));
      inFlight -= 1;
      return n * 10;
    };

    // Act
    const results = await mapPool([1, 2, 3, 4, 5, 6, 7], 3, work);

    // Assess
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });

  it('rejects with the first error only after the work in flight has settled', async () => {
    // Prepare
    const started: number[] = [];
    const finished: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      if (n === 1) throw new Error('first');
      await new Promise((resolve) => setTimeout(resolve, 10));
      finished.push(n);
      if (n === 2) throw new Error('second');
      return n;
    };

    // Act
    const result = mapPool([1, 2, 3, 4, 5], 3, work);

    // Assess
    await expect(result).rejects.toThrow('first');
    expect(started).toEqual([1, 2, 3]);
    expect(finished).toEqual([2, 3]);
  });
});
