import { setMaxListeners } from 'node:events';
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

/**
 * Runs reads side by side, each with a signal that aborts when `parent` does or when another read
 * fails. The first failure is thrown once every read has stopped, so nothing is left running; the
 * failures the abort causes come later and are never the one thrown.
 */
export async function allOrAbort<T extends readonly unknown[]>(
  parent: AbortSignal | undefined,
  reads: { readonly [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> },
): Promise<T> {
  const stop = new AbortController();
  const signal = parent ? AbortSignal.any([parent, stop.signal]) : stop.signal;
  // Each read keeps one call in flight, with its abort listener.
  setMaxListeners(Math.max(10, reads.length * 2), signal);
  let failure: { error: unknown } | undefined;
  const results = await Promise.all(
    reads.map((read) =>
      read(signal).catch((error: unknown) => {
        failure ??= { error };
        stop.abort();
        return undefined;
      }),
    ),
  );
  if (failure) throw failure.error;
  return results as unknown as T;
}
