/** A MemoryStore that counts calls and in-flight requests, with an optional delay per call. */
import { MemoryStore } from "../../src/stores/memory.js";
import type { GetOptions, StoreOptions, VersionedValue } from "../../src/stores/store.js";

export class CountingStore extends MemoryStore {
  gets = 0;
  sets = 0;
  deletes = 0;
  inFlight = 0;
  peakInFlight = 0;
  constructor(private readonly delayMs = 0) {
    super();
  }
  private async track<R>(fn: () => Promise<R>): Promise<R> {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      return await fn();
    } finally {
      this.inFlight--;
    }
  }
  override get(key: string, options?: GetOptions): Promise<Uint8Array | undefined> {
    this.gets++;
    return this.track(() => super.get(key, options));
  }
  override set(key: string, value: Uint8Array, options?: StoreOptions): Promise<void> {
    this.sets++;
    return this.track(() => super.set(key, value, options));
  }
  override delete(key: string, options?: StoreOptions): Promise<void> {
    this.deletes++;
    return this.track(() => super.delete(key, options));
  }
  override getVersioned(key: string, options?: StoreOptions): Promise<VersionedValue | undefined> {
    this.gets++;
    return this.track(() => super.getVersioned(key, options));
  }
  override setIfVersion(key: string, value: Uint8Array, expected: string | null, options?: StoreOptions): Promise<string | undefined> {
    this.sets++;
    return this.track(() => super.setIfVersion(key, value, expected, options));
  }
  override deleteIfVersion(key: string, expected: string, options?: StoreOptions): Promise<boolean> {
    this.deletes++;
    return this.track(() => super.deleteIfVersion(key, expected, options));
  }
  reset(): void {
    this.gets = this.sets = this.deletes = this.peakInFlight = 0;
  }
  chunkKeys(prefix: string): string[] {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix) && !k.endsWith("zarr.json")).sort();
  }
}
