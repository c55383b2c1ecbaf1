/**
 * Runs `work` over `items` with at most `concurrency` calls in flight, results in input order.
 * The first rejection stops new work from starting; the returned promise rejects with it once the
 * calls already in flight have settled, so nothing is still running when the caller moves on (in
 * Lambda, work left running would be frozen and resumed in a later invocation).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, () =>
    worker(),
  );
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}
