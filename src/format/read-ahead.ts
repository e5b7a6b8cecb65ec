/**
 * Read-ahead for a sequential reader: when a read starts where the previous
 * one stopped and covers at least 1/16 of a chunk, the next chunks are
 * fetched and decoded in the background (on Node, on the codec worker
 * threads) while the caller works on this block; string chunks are only
 * decompressed ahead, made into strings when taken (ChunkIO.prefetch). Any
 * other read drops what was fetched ahead; a write replaces it.
 */
import type { ChunkData } from "../data-types.js";
import type { CachedChunk } from "./chunk-cache.js";

/** Chunks fetched ahead of one array handle's reader. */
export class ReadAhead {
  /** Per key, what finishes the chunk's decode once fetched. */
  private readonly pending = new Map<string, Promise<() => Promise<CachedChunk>>>();
  /** Where the last read stopped: a read starting there is sequential. */
  private lastStop = 0;

  /** `depth`: chunks fetched ahead (0: off). */
  constructor(private readonly depth: number) {}

  /**
   * After a read of rows [start, stop) of an array chunked along rows only (`rowsPerChunk`
   * rows per chunk, `rows` in all): start loading the next chunks with `load`, skipping those
   * `skip` says are at hand. `keyOf(i)` names the i-th chunk along rows.
   */
  after(start: number, stop: number, rows: number, rowsPerChunk: number | undefined, keyOf: (i: number) => string, skip: (key: string) => boolean, load: (key: string) => Promise<() => Promise<CachedChunk>>): void {
    const sequential = start === this.lastStop;
    this.lastStop = stop;
    if (!sequential) this.pending.clear();
    if (!sequential || this.depth <= 0 || rowsPerChunk === undefined || stop <= start) return;
    // Tiny reads (a viewer stepping row by row) are served from the cache; fetching whole chunks ahead would waste I/O.
    if (stop - start < rowsPerChunk / 16) return;
    const last = Math.floor((stop - 1) / rowsPerChunk);
    for (let i = last + 1; i <= last + this.depth && i * rowsPerChunk < rows; i++) {
      const key = keyOf(i);
      if (this.pending.has(key) || skip(key)) continue;
      const p = load(key);
      // Consumed (and its error reported) by the read that needs it; never an unhandled rejection.
      p.catch(() => undefined);
      this.pending.set(key, p);
    }
  }

  /** The chunk fetched ahead for `key`, handed over once (undefined: none was started). */
  take(key: string): Promise<CachedChunk> | undefined {
    const p = this.pending.get(key);
    this.pending.delete(key);
    return p?.then((finish) => finish());
  }

  /** The data of the chunk fetched ahead for `key` (a missing chunk reads as fill), or undefined when none was started. */
  async takeData(key: string): Promise<ChunkData | undefined> {
    const p = this.take(key);
    return p === undefined ? undefined : (await p).data;
  }

  /** Forget what was fetched for `key` (it is being written). */
  drop(key: string): void {
    this.pending.delete(key);
  }

  /** Forget everything fetched ahead (the array changed). */
  clear(): void {
    this.pending.clear();
  }
}
