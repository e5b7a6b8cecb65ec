/**
 * A store in memory: for tests, for short-lived tables, and for runtimes
 * without a filesystem. Values are copied in and out, so a caller that
 * changes a buffer never changes what is stored.
 */
import { type ByteRange, type DirListing, type GetOptions, type Store, type StoreOptions, throwIfAborted, type VersionedValue } from "./store.js";

/** A `Store` kept in a `Map`. */
export class MemoryStore implements Store {
  readonly data = new Map<string, Uint8Array>();
  /** A version per key: the value's identity changes with every set. */
  private readonly versions = new WeakMap<Uint8Array, string>();
  private counter = 0;

  private versionOf(value: Uint8Array): string {
    let v = this.versions.get(value);
    if (v === undefined) this.versions.set(value, (v = String(++this.counter)));
    return v;
  }

  async getVersioned(key: string, options: StoreOptions = {}): Promise<VersionedValue | undefined> {
    throwIfAborted(key, options);
    const value = this.data.get(key);
    return value === undefined ? undefined : { data: value.slice(), version: this.versionOf(value) };
  }

  async setIfVersion(key: string, value: Uint8Array, expected: string | null, options: StoreOptions = {}): Promise<string | undefined> {
    throwIfAborted(key, options);
    const current = this.data.get(key);
    if ((current === undefined ? null : this.versionOf(current)) !== expected) return undefined;
    const stored = value.slice();
    this.data.set(key, stored);
    return this.versionOf(stored);
  }

  async deleteIfVersion(key: string, expected: string, options: StoreOptions = {}): Promise<boolean> {
    throwIfAborted(key, options);
    const current = this.data.get(key);
    if (current === undefined || this.versionOf(current) !== expected) return false;
    this.data.delete(key);
    return true;
  }

  async get(key: string, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    throwIfAborted(key, options);
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    return options.range === undefined ? value.slice() : sliceRange(value, options.range);
  }

  async set(key: string, value: Uint8Array, options: StoreOptions = {}): Promise<void> {
    throwIfAborted(key, options);
    this.data.set(key, value.slice());
  }

  async delete(key: string, options: StoreOptions = {}): Promise<void> {
    throwIfAborted(key, options);
    this.data.delete(key);
  }

  async *list(prefix: string, options: StoreOptions = {}): AsyncIterable<string> {
    throwIfAborted(prefix, options);
    for (const key of [...this.data.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }

  async listDir(prefix: string, options: StoreOptions = {}): Promise<DirListing> {
    throwIfAborted(prefix, options);
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

/** The bytes of `value` in `range`, clipped to its length (as HTTP range requests are). */
export function sliceRange(value: Uint8Array, range: ByteRange): Uint8Array {
  if ("suffix" in range) return value.slice(Math.max(0, value.length - range.suffix));
  return value.slice(range.offset, range.offset + range.length);
}
