/**
 * A least-recently-used cache of decoded chunks, bounded in bytes. A run of
 * small blocks inside one chunk decodes that chunk once. Written here rather
 * than taken from mnemonist, whose LRU is bounded by entry count only (README,
 * "Dependencies").
 */
import type { ChunkData } from "../data-types.js";
import { checkIntegerOption } from "./limits.js";

/** A decoded chunk and the store version its bytes had (null: not stored; undefined: the store keeps no versions). */
export interface CachedChunk {
  readonly data: ChunkData;
  readonly version: string | null | undefined;
}

/** What the array engine needs from a chunk cache; bring your own to share one across handles. */
export interface ChunkCache {
  /** True when `key` is held; a question, not a use (no reordering, no miss counted). */
  has(key: string): boolean;
  get(key: string): CachedChunk | undefined;
  set(key: string, value: CachedChunk): void;
  delete(key: string): void;
  clear(): void;
}

/** Approximate bytes a decoded chunk holds in memory. */
export function chunkBytes(value: ChunkData): number {
  if (Array.isArray(value)) {
    let n = 16 * value.length;
    for (const s of value) n += s.length * 2;
    return n;
  }
  return value.byteLength;
}

/** An LRU `ChunkCache` holding at most `maxBytes` of decoded chunks; an entry larger than the budget is not kept. */
export class LruChunkCache implements ChunkCache {
  private readonly entries = new Map<string, { value: CachedChunk; bytes: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {
    checkIntegerOption("maxBytes", maxBytes, 0);
  }

  /** Bytes held now. */
  get size(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): CachedChunk | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map keeps insertion order: re-inserting moves the key to the young end.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: CachedChunk): void {
    this.delete(key);
    const bytes = chunkBytes(value.data);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= e.bytes;
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.total -= e.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
