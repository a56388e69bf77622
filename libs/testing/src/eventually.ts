import { sleep } from '@platform/local-platform';

/**
 * Retries an assertion until it passes or the time is up, then fails with the last error. For
 * effects that arrive through Kafka a moment after the request.
 */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
