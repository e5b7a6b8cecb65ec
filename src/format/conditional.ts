/**
 * Read-modify-write of one key that never loses another writer's update:
 * read the bytes with their version, compute the new bytes, store them only
 * if the version is unchanged, and otherwise start again (with backoff and
 * jitter, a bounded number of times). Stores without conditional writes get
 * one plain read and write: they are single-writer.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import { RatZarrError } from "../errors.js";

/** How many times a read-modify-write is tried before giving up. */
export const DEFAULT_MAX_ATTEMPTS = 60;

export interface UpdateOptions extends StoreOptions {
  readonly maxAttempts?: number | undefined;
}

/** What a change returns: new bytes, `DELETE` to remove the key, or `KEEP` to leave it as it is. */
export const DELETE: unique symbol = Symbol("delete");
export const KEEP: unique symbol = Symbol("keep");
export type Change = Uint8Array | typeof DELETE | typeof KEEP;

/** True when the store can make read-modify-write safe with several writers. */
export function isConditional(store: Store): boolean {
  return store.getVersioned !== undefined && store.setIfVersion !== undefined;
}

/** Wait before attempt `attempt` + 1: exponential, capped at 500 ms, with full jitter. */
export function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  const ms = Math.random() * Math.min(500, 4 * 2 ** attempt);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    setTimeout(resolve, ms);
  });
}

/**
 * Apply `change` to the current bytes of `key` (undefined when missing) and store the
 * result so that no concurrent update is lost. Resolves with what was stored.
 */
export async function updateKey(store: Store, key: string, change: (current: Uint8Array | undefined) => Change | Promise<Change>, options: UpdateOptions = {}): Promise<Uint8Array | undefined> {
  if (!isConditional(store)) {
    const current = await store.get(key, options);
    const next = await change(current);
    if (next === KEEP) return current;
    if (next === DELETE) {
      await store.delete(key, options);
      return undefined;
    }
    await store.set(key, next, options);
    return next;
  }
  const max = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let attempt = 0; attempt < max; attempt++) {
    const current = await store.getVersioned!(key, options);
    const next = await change(current?.data);
    if (next === KEEP) return current?.data;
    if (next === DELETE) {
      if (current === undefined) return undefined;
      if (store.deleteIfVersion !== undefined && (await store.deleteIfVersion(key, current.version, options))) return undefined;
      if (store.deleteIfVersion === undefined) {
        // No conditional delete (S3): deleting metadata is not something we do under contention.
        await store.delete(key, options);
        return undefined;
      }
    } else if ((await store.setIfVersion!(key, next, current?.version ?? null, options)) !== undefined) {
      return next;
    }
    await backoff(attempt, options.signal);
  }
  throw new RatZarrError(`key "${key}": gave up after ${max} attempts, other writers kept changing it`);
}

/** Store `value` at `key` only when nothing is there yet; false when something is. */
export async function createKey(store: Store, key: string, value: Uint8Array, options: StoreOptions = {}): Promise<boolean> {
  if (store.setIfVersion !== undefined) return (await store.setIfVersion(key, value, null, options)) !== undefined;
  if ((await store.get(key, options)) !== undefined) return false;
  await store.set(key, value, options);
  return true;
}
