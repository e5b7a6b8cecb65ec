/**
 * A store in memory: for tests, for short-lived tables, and for runtimes
 * without a filesystem. Values are copied in and out, so a caller that
 * changes a buffer never changes what is stored.
 */
import type { ByteRange, DirListing, GetOptions, Store, StoreOptions } from "./store.js";
import { StoreError } from "../errors.js";

/** A `Store` kept in a `Map`. */
export class MemoryStore implements Store {
  readonly data = new Map<string, Uint8Array>();

  async get(key: string, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    checkSignal(key, options);
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    return options.range === undefined ? value.slice() : sliceRange(value, options.range);
  }

  async set(key: string, value: Uint8Array, options: StoreOptions = {}): Promise<void> {
    checkSignal(key, options);
    this.data.set(key, value.slice());
  }

  async delete(key: string, options: StoreOptions = {}): Promise<void> {
    checkSignal(key, options);
    this.data.delete(key);
  }

  async *list(prefix: string, options: StoreOptions = {}): AsyncIterable<string> {
    checkSignal(prefix, options);
    for (const key of [...this.data.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }

  async listDir(prefix: string, options: StoreOptions = {}): Promise<DirListing> {
    checkSignal(prefix, options);
    const p = prefix === "" ? "" : prefix + "/";
    const keys = new Set<string>();
    const prefixes = new Set<string>();
    for (const key of this.data.keys()) {
      if (!key.startsWith(p)) continue;
      const rest = key.slice(p.length);
      const slash = rest.indexOf("/");
      if (slash < 0) keys.add(rest);
      else prefixes.add(rest.slice(0, slash));
    }
    return { keys: [...keys].sort(), prefixes: [...prefixes].sort() };
  }
}

function checkSignal(key: string, options: StoreOptions): void {
  if (options.signal?.aborted) throw new StoreError(key, "aborted", { cause: options.signal.reason });
}

/** The bytes of `value` in `range`, clipped to its length (as HTTP range requests are). */
export function sliceRange(value: Uint8Array, range: ByteRange): Uint8Array {
  if ("suffix" in range) return value.slice(Math.max(0, value.length - range.suffix));
  return value.slice(range.offset, range.offset + range.length);
}
