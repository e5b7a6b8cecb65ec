/**
 * The one versioned read-modify-write of the library, used by chunks and by
 * `zarr.json` alike: read a key with its version, compute the new value,
 * store it only if the version is unchanged, and otherwise start again with
 * backoff and jitter, a bounded number of times. Stores without conditional
 * writes get one plain read and write: they are single-writer.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import { RatZarrError } from "../errors.js";
import { jitteredDelay, sleep } from "../retry.js";

/** How many times a read-modify-write is tried before giving up. */
export const DEFAULT_MAX_ATTEMPTS = 60;

/** Returned by an attempt whose conditional write lost to another writer: try again. */
export const CONFLICT: unique symbol = Symbol("conflict");
/** Returned by a change that leaves the key as it is. */
export const KEEP: unique symbol = Symbol("keep");

/**
 * A value that may be removed rather than stored (a chunk that is all fill value reads the
 * same whether stored or not): `fallback` makes the bytes to store instead where the store
 * has no conditional delete (S3).
 */
export interface Removal {
  readonly fallback: () => Promise<Uint8Array>;
}

/** True when the store can make read-modify-write safe with several writers. */
export function isConditional(store: Store): boolean {
  return store.getVersioned !== undefined && store.setIfVersion !== undefined;
}

/** Wait before attempt `attempt` + 1: exponential from 4 ms, capped at 500 ms, with full jitter. */
export function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  return sleep(jitteredDelay(attempt, 4, 500), signal);
}

/**
 * Run `attempt` (given its number from 0) until it returns something other than CONFLICT,
 * backing off between tries; after `maxAttempts` a `RatZarrError` that names `what`.
 */
export async function retryConflicts<T>(what: string, attempt: (n: number) => Promise<T | typeof CONFLICT>, options: StoreOptions & { readonly maxAttempts?: number | undefined } = {}): Promise<T> {
  const max = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let n = 0; ; n++) {
    const result = await attempt(n);
    if (result !== CONFLICT) return result;
    if (n + 1 >= max) throw new RatZarrError(`${what}: gave up after ${n + 1} attempts, other writers kept changing it`, { code: "conflict" });
    await backoff(n, options.signal);
  }
}

/**
 * Store `next` at `key` if its version is still `expected` (null: only if absent; undefined:
 * the store keeps no versions, so write unconditionally). A `Removal` deletes the key, with
 * the same condition where the store can, and otherwise stores its fallback bytes (this is
 * the one place that knows S3 has no conditional delete). Resolves with the new version
 * (null when nothing is stored now, undefined when the store keeps none) or CONFLICT.
 */
export async function putIfVersion(store: Store, key: string, next: Uint8Array | Removal, expected: string | null | undefined, options: StoreOptions = {}): Promise<string | null | undefined | typeof CONFLICT> {
  if (expected === undefined || store.setIfVersion === undefined) {
    if (next instanceof Uint8Array) await store.set(key, next, options);
    else await store.delete(key, options);
    return undefined;
  }
  let bytes: Uint8Array;
  if (next instanceof Uint8Array) {
    bytes = next;
  } else {
    if (expected === null) return null;
    if (store.deleteIfVersion !== undefined) return (await store.deleteIfVersion(key, expected, options)) ? null : CONFLICT;
    bytes = await next.fallback();
  }
  return (await store.setIfVersion(key, bytes, expected, options)) ?? CONFLICT;
}

/**
 * Apply `change` to the current bytes of `key` (undefined when missing) and store the
 * result so that no concurrent update is lost. Resolves with what is stored now.
 */
export async function updateKey(store: Store, key: string, change: (current: Uint8Array | undefined) => Uint8Array | typeof KEEP | Promise<Uint8Array | typeof KEEP>, options: StoreOptions = {}): Promise<Uint8Array | undefined> {
  const conditional = isConditional(store);
  return retryConflicts(`key "${key}"`, async () => {
    const current = conditional ? await store.getVersioned!(key, options) : await store.get(key, options).then((data) => (data === undefined ? undefined : { data, version: undefined }));
    const next = await change(current?.data);
    if (next === KEEP) return current?.data;
    const stored = await putIfVersion(store, key, next, current === undefined ? (conditional ? null : undefined) : current.version, options);
    return stored === CONFLICT ? CONFLICT : next;
  }, options);
}

/** Store `value` at `key` only when nothing is there yet; false when something is. */
export async function createKey(store: Store, key: string, value: Uint8Array, options: StoreOptions = {}): Promise<boolean> {
  if (store.setIfVersion !== undefined) return (await store.setIfVersion(key, value, null, options)) !== undefined;
  if ((await store.get(key, options)) !== undefined) return false;
  await store.set(key, value, options);
  return true;
}
