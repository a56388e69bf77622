import { setTimeout as sleep } from 'node:timers/promises';

/** How long setup waits out one shed answer at most, and how many times it sends. */
const MAX_WAIT_SECONDS = 5;
const ATTEMPTS = 5;

/**
 * Sends a setup request until the gateway admits it. A 503 with Retry-After is the gateway
 * shedding load (a burst of password hashes on a busy machine, say): the request was never served,
 * so a client waits as told (here at most 5 s a time) and sends it again, up to 5 times; the last
 * answer is returned as it is. Only setup waits; what a suite tests it calls directly and sees as
 * it is.
 */
export async function admitted<T>(send: () => Promise<T>, answer: (result: T) => { status: number; headers: Headers }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await send();
    const { status, headers } = answer(result);
    const retryAfter = headers.get('retry-after');
    if (status !== 503 || retryAfter === null || attempt >= ATTEMPTS) return result;
    await sleep(Math.min(Number(retryAfter) || 1, MAX_WAIT_SECONDS) * 1000);
  }
}
