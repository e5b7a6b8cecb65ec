/**
 * Waiting and backing off, in one place: every retry loop of the library
 * (conditional updates, S3 requests, local lock files) waits through `sleep`
 * and draws its delay from `jitteredDelay`.
 */

/** Wait `ms`, or reject with the signal's reason once it aborts; the abort listener goes when the wait ends. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(t), reject(signal!.reason));
    const t = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Exponential backoff with full jitter: a random delay up to `baseMs * 2^attempt`, capped at `capMs` (attempt 0 is the first retry). */
export function jitteredDelay(attempt: number, baseMs: number, capMs: number): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}
