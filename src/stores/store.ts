/**
 * The one small interface every store implements. Keys are `/`-separated
 * paths relative to the store's root ("RAT/area/c/0"); values are bytes.
 */
import { StoreError } from "../errors.js";

/** Options every store call takes: an `AbortSignal` to cancel it. */
export interface StoreOptions {
  readonly signal?: AbortSignal | undefined;
}

/** A byte range: `offset` and `length`, or the last `suffix` bytes. */
export type ByteRange = { readonly offset: number; readonly length: number } | { readonly suffix: number };

export interface GetOptions extends StoreOptions {
  readonly range?: ByteRange | undefined;
}

/** The immediate children of a prefix: keys directly under it, and sub-prefixes (without the trailing "/"). */
export interface DirListing {
  readonly keys: string[];
  readonly prefixes: string[];
}

/** Bytes with an opaque version (an S3 ETag, a file's identity) for conditional writes. */
export interface VersionedValue {
  readonly data: Uint8Array;
  readonly version: string;
}

/**
 * Where ratzarr keeps its bytes: memory, local disk, S3, HTTP. The three
 * optional conditional methods make read-modify-write safe with several
 * writers (processes, machines); a store without them is single-writer.
 */
export interface Store {
  /** The bytes at `key` (or the requested range of them), or undefined when there is no such key. */
  get(key: string, options?: GetOptions): Promise<Uint8Array | undefined>;
  /**
   * Store `value` at `key`; resolves only when the bytes are durably in the store. Once the
   * call settles the caller may change or reuse `value`'s memory (the engine does): a store
   * that keeps the bytes keeps a copy. The same holds for `setIfVersion`.
   */
  set(key: string, value: Uint8Array, options?: StoreOptions): Promise<void>;
  /** Remove `key`; removing a missing key is not an error. */
  delete(key: string, options?: StoreOptions): Promise<void>;
  /** Every key that starts with `prefix` (a plain string prefix, not a folder: callers add "/"). */
  list(prefix: string, options?: StoreOptions): AsyncIterable<string>;
  /** The keys and sub-prefixes directly under the folder `prefix` ("" for the root, else ending without "/"). */
  listDir(prefix: string, options?: StoreOptions): Promise<DirListing>;
  /** Optional fast path: remove every key under the folder `prefix` ("" for all). Callers fall back to list and delete. */
  deleteDir?(prefix: string, options?: StoreOptions): Promise<void>;
  /** The bytes of `key` and their version, or undefined when there is no such key. */
  getVersioned?(key: string, options?: StoreOptions): Promise<VersionedValue | undefined>;
  /**
   * Store `value` at `key` only if its version is still `expected` (`null`: only if the key
   * does not exist). Resolves with the new version, or undefined when another writer changed
   * the key first (nothing is written then).
   */
  setIfVersion?(key: string, value: Uint8Array, expected: string | null, options?: StoreOptions): Promise<string | undefined>;
  /** Delete `key` only if its version is still `expected`; false when another writer changed it first. */
  deleteIfVersion?(key: string, expected: string, options?: StoreOptions): Promise<boolean>;
  /** True when the store refuses writes. */
  readonly readOnly?: boolean;
  /** Chunk requests worth having in flight at once (S3 wants more than a local disk). */
  readonly preferredConcurrency?: number;
}

/** Throw a `StoreError` (code "aborted") for `key` when the options' signal has aborted: the stores' one abort check. */
export function throwIfAborted(key: string, options: StoreOptions): void {
  if (options.signal?.aborted) throw new StoreError(key, "aborted", { cause: options.signal.reason, code: "aborted" });
}

/** Collect an async iterable of keys into an array. */
export async function collectKeys(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of keys) out.push(k);
  return out;
}

/** Remove every key under the folder `prefix` ("" for the whole store), with the store's fast path when it has one. */
export async function deleteAll(store: Store, prefix: string, options: StoreOptions = {}): Promise<void> {
  if (store.deleteDir !== undefined) return store.deleteDir(prefix, options);
  const keys = await collectKeys(store.list(prefix === "" ? "" : `${prefix}/`, options));
  // zarr.json files first, so a half-deleted node no longer looks like a node.
  keys.sort((a, b) => Number(b.endsWith("zarr.json")) - Number(a.endsWith("zarr.json")));
  for (const key of keys) await store.delete(key, options);
}
