/**
 * Chunk I/O of one array: the only code that touches the store, the codec
 * pipeline and the decoded-chunk cache together. Load a chunk (with its
 * version), store a whole one, and read-modify-write a partial one through
 * the versioned update of conditional.ts, so that two processes writing
 * different rows of one chunk both land.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import type { CodecPipeline } from "../codecs/pipeline.js";
import type { Schedule } from "../codecs/codec.js";
import { allocate, type ChunkData, type DataType, type FillValue, fillElement } from "../data-types.js";
import type { CachedChunk, ChunkCache } from "./chunk-cache.js";
import { CONFLICT, isConditional, putIfVersion, type Removal, retryConflicts } from "./conditional.js";
import { elementCount, forEachIndex, isAllFill } from "../grid.js";
import { arrayChunkKey, parseArrayChunkKey } from "./keys.js";
import type { ChunkKeyEncoding } from "./metadata.js";

/** Store options plus the schedule of the chunk at hand. */
export interface ChunkCallOptions extends StoreOptions {
  readonly schedule?: Schedule | undefined;
}

/** What chunk I/O needs to know of its array. */
export interface ChunkLayout {
  readonly shape: readonly number[];
  readonly dataType: DataType;
  readonly chunkShape: readonly number[];
  readonly fillValue: FillValue;
  readonly chunkKeyEncoding: ChunkKeyEncoding;
}

let handles = 0;

/** Loads and stores the chunks of one array handle. */
export class ChunkIO {
  /** Cache keys carry the handle's number: a shared cache never serves one handle's chunks to a later array of the same name. */
  private readonly tag = `${++handles}:`;
  /** A stored chunk's array, kept for the next fill-value chunk (`recycle`). */
  private spare: ChunkData | undefined;

  constructor(
    private readonly store: Store,
    private readonly cache: ChunkCache,
    private layout: ChunkLayout,
    private pipeline: CodecPipeline,
    /** The array's path: its chunk keys start with it, and it names the array in messages. */
    private readonly label: string,
  ) {}

  /**
   * Use new metadata (and codecs) from now on (after the array's `zarr.json` changed). A cached
   * chunk at the old end of the rows was decoded for the old row count (only the rows inside
   * the array then): it is dropped.
   */
  reconfigure(layout: ChunkLayout, pipeline: CodecPipeline = this.pipeline): void {
    const old = this.layout;
    this.layout = layout;
    this.spare = undefined;
    this.pipeline = pipeline;
    if (old.shape[0] !== layout.shape[0]) for (const key of edgeKeys(old, this.label)) this.forget(key);
  }

  /**
   * Rows of the chunk at `key` that lie inside the array, when fewer than the chunk's (the last
   * chunk along rows): the pipeline may decode just those (a 100-row RAT in chunks of 500000
   * rows decompresses 100 rows), so that chunk's data can be shorter than a chunk.
   */
  private rowsInside(key: string): number | undefined {
    const { shape, chunkShape, chunkKeyEncoding } = this.layout;
    const rows = shape[0];
    const per = chunkShape[0];
    if (rows === undefined || per === undefined || rows % per === 0) return undefined;
    const coords = parseArrayChunkKey(this.label, chunkKeyEncoding, key, shape.length);
    if (coords === undefined) return undefined;
    const inside = rows - coords[0]! * per;
    return inside < per ? Math.max(inside, 0) : undefined;
  }

  /**
   * A new chunk, every element the fill value: the spare chunk when there is one (refilled),
   * else a fresh allocation.
   */
  fillChunk(): ChunkData {
    const { dataType, fillValue } = this.layout;
    const spare = this.spare;
    if (spare !== undefined) {
      this.spare = undefined;
      (spare as { fill(v: unknown): unknown }).fill(fillElement(dataType, fillValue));
      return spare;
    }
    return allocate(dataType, elementCount(this.layout.chunkShape), fillValue) as ChunkData;
  }

  /**
   * Keep `data`, a chunk just stored and dropped from the cache, as the next `fillChunk`'s
   * array. Writes in blocks smaller than a chunk start each chunk from a fill-value chunk: a
   * fresh 4 MB array is new memory whose pages fault when first written, where a reused one's
   * do not (README, "Performance"). Only a typed chunk of the full chunk shape is kept, and
   * only by `modify`, under the chunk's lock, once nothing else holds it: the cache entry is
   * gone, readers copy from cached chunks without awaiting in between (array.ts), and the
   * store keeps no reference to what it was given (`Store.set`).
   */
  private recycle(data: ChunkData): void {
    if (!Array.isArray(data) && data.length === elementCount(this.layout.chunkShape)) this.spare = data;
  }

  isAllFill(chunk: ChunkData): boolean {
    return isAllFill(chunk, this.layout.dataType, this.layout.fillValue);
  }

  // ---- the cache ----

  isCached(key: string): boolean {
    return this.cache.has(this.tag + key);
  }

  cached(key: string): CachedChunk | undefined {
    return this.cache.get(this.tag + key);
  }

  remember(key: string, entry: CachedChunk): void {
    this.cache.set(this.tag + key, entry);
  }

  forget(key: string): void {
    this.cache.delete(this.tag + key);
  }

  // ---- loading ----

  private decode(bytes: Uint8Array, key: string, options: ChunkCallOptions): Promise<ChunkData> {
    return this.pipeline.decode(bytes, { key, signal: options.signal, schedule: options.schedule }, this.rowsInside(key));
  }

  /** The decoded chunk at `key`, or undefined when it is not stored. */
  async load(key: string, options: ChunkCallOptions = {}): Promise<ChunkData | undefined> {
    const bytes = await this.store.get(key, options);
    return bytes === undefined ? undefined : this.decode(bytes, key, options);
  }

  /** The decoded chunk at `key` with its version (a missing chunk: all fill value, version null; a store without versions: undefined). */
  async loadEntry(key: string, options: ChunkCallOptions = {}): Promise<CachedChunk> {
    const { bytes, version } = await this.getStored(key, options);
    return { data: bytes === undefined ? this.fillChunk() : await this.decode(bytes, key, options), version };
  }

  /**
   * Read-ahead's load: fetch `key` and decode it now, except that a chunk whose decode makes
   * JavaScript objects (strings) is only decompressed now and made into strings by `finish`,
   * when the reader takes it: strings made just before use die young, in the collector's
   * cheap young generation, instead of waiting in the old one (README, "Performance").
   */
  async prefetch(key: string, options: ChunkCallOptions = {}): Promise<() => Promise<CachedChunk>> {
    if (!this.pipeline.decodesToObjects) {
      const entry = await this.loadEntry(key, options);
      return () => Promise.resolve(entry);
    }
    const { bytes, version } = await this.getStored(key, options);
    if (bytes === undefined) return () => Promise.resolve({ data: this.fillChunk(), version });
    const pipeline = this.pipeline;
    // The decompressed bytes may sit in a lent scratch buffer: given back once the strings are made.
    const lease = pipeline.decodeLease();
    const ctx = { key, signal: options.signal, schedule: options.schedule, scratch: lease };
    const rows = this.rowsInside(key);
    let inner: Uint8Array;
    try {
      inner = await pipeline.decodeBytes(bytes, ctx, rows);
    } catch (e) {
      lease?.release();
      throw e;
    }
    let made: Promise<CachedChunk> | undefined;
    const make = async (): Promise<CachedChunk> => {
      try {
        return { data: await pipeline.decodeArray(inner, ctx, rows), version };
      } finally {
        lease?.release();
      }
    };
    // Once only: a second call gets the same strings, never bytes already lent to another chunk.
    return () => (made ??= make());
  }

  /** The stored bytes of `key` (undefined: not stored) with their version (null when not stored; undefined: the store keeps none). */
  private async getStored(key: string, options: ChunkCallOptions): Promise<{ bytes: Uint8Array | undefined; version: string | null | undefined }> {
    if (isConditional(this.store)) {
      const v = await this.store.getVersioned!(key, options);
      return v === undefined ? { bytes: undefined, version: null } : { bytes: v.data, version: v.version };
    }
    return { bytes: await this.store.get(key, options), version: undefined };
  }

  /** The cached entry of `key`, else a fresh load of it. */
  async entry(key: string, options: ChunkCallOptions = {}): Promise<CachedChunk> {
    return this.cached(key) ?? (await this.loadEntry(key, options));
  }

  // ---- storing ----

  /** Encode a chunk; one decoded short (only the rows inside the array: `rowsInside`) is first padded with the fill value. */
  private encode(chunk: ChunkData, key: string, options: ChunkCallOptions): Promise<Uint8Array> {
    const n = elementCount(this.layout.chunkShape);
    if (chunk.length < n) {
      const full = this.fillChunk();
      if (Array.isArray(full)) for (let i = 0; i < chunk.length; i++) full[i] = (chunk as string[])[i]!;
      else (full as { set(a: ArrayLike<unknown>): void }).set(chunk);
      chunk = full;
    }
    return this.pipeline.encode(chunk, { key, signal: options.signal, schedule: options.schedule });
  }

  /** Store a whole chunk (nothing read), or delete its key when it is all fill value (zarr-python's default). */
  storeWhole(key: string, chunk: ChunkData, options: ChunkCallOptions = {}): Promise<void> {
    // Not an async function: its frame would hold `chunk` until the write ends, and a string
    // chunk's strings are garbage once encoded (CodecPipeline.encode).
    try {
      this.forget(key);
      if (this.isAllFill(chunk)) return this.store.delete(key, options);
      return this.encode(chunk, key, options).then((bytes) => this.store.set(key, bytes, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Read-modify-write of one chunk (the caller holds its lock): apply `mutate` to the chunk as
   * stored (cache first) and store it only if nobody changed it since it was read; otherwise
   * read it again and apply `mutate` again. `applied`: a chunk `mutate` has already changed
   * (write-behind), used for the first attempt. `keep`: leave the result in the cache.
   */
  async modify(key: string, mutate: (chunk: ChunkData) => void, options: ChunkCallOptions = {}, keep = true, applied?: CachedChunk): Promise<void> {
    await retryConflicts(`array "${this.label}", chunk "${key}"`, async (attempt) => {
      let entry: CachedChunk;
      if (attempt === 0 && applied !== undefined) {
        entry = applied;
      } else {
        entry = await this.entry(key, options);
        mutate(entry.data);
      }
      // Encoded only when stored: an all-fill chunk is removed instead where the store can.
      const removal: Removal = { fallback: () => this.encode(entry.data, key, { ...options, schedule: { offload: options.schedule?.offload } }) };
      let stored: string | null | undefined | typeof CONFLICT;
      try {
        const next = this.isAllFill(entry.data) ? removal : await removal.fallback();
        stored = await putIfVersion(this.store, key, next, entry.version, options);
      } catch (e) {
        // The cached chunk may now hold bytes the store does not: drop it.
        this.forget(key);
        throw e;
      }
      if (stored === CONFLICT) {
        this.forget(key);
        return CONFLICT;
      }
      if (keep) {
        this.remember(key, { data: entry.data, version: stored });
      } else {
        this.forget(key);
        // Write-behind's own chunk (`applied`) stays readable as its dirty chunk until it returns.
        if (entry !== applied) this.recycle(entry.data);
      }
      return undefined;
    }, options);
  }
}

/** The keys of the chunks at the end of the rows of an array laid out as `layout` at `path`, when that row of chunks is partly outside the array. */
function edgeKeys(layout: ChunkLayout, path: string): string[] {
  const { shape, chunkShape, chunkKeyEncoding } = layout;
  const rows = shape[0];
  const per = chunkShape[0];
  if (rows === undefined || per === undefined || rows % per === 0) return [];
  const keys: string[] = [];
  const lo = shape.map((_, d) => (d === 0 ? Math.floor(rows / per) : 0));
  const hi = shape.map((s, d) => (d === 0 ? lo[0]! : Math.ceil(s / chunkShape[d]!) - 1));
  forEachIndex(lo, hi, (coords) => keys.push(arrayChunkKey(path, chunkKeyEncoding, coords)));
  return keys;
}
