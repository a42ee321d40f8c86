/**
 * Runs jobs with at most `limit` in flight (layer downloads, layer uploads); the first failure
 * cancels the rest through the signal and is rethrown once every job has stopped.
 */
export async function runBounded<T>(items: T[], limit: number, job: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length && !controller.signal.aborted) {
      const item = items[next++]!;
      try {
        await job(item, controller.signal);
      } catch (err) {
        if (!controller.signal.aborted) {
          firstError = err;
          controller.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError) throw firstError;
}
