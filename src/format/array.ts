/**
 * One Zarr v3 array: block reads and writes along the first dimension,
 * resize and attributes. Whole chunks take the fast path (encode and store,
 * or decode and copy, nothing else); partial chunks are read-modify-written
 * through the chunk cache, one write at a time per chunk.
 */
import { collectKeys, type Store, type StoreOptions } from "../stores/store.js";
import type { CodecMetadata, JsonObject } from "../codecs/codec.js";
import { CodecPipeline } from "../codecs/pipeline.js";
import { type ArrayFor, type ChunkData, type DataType, type FillValue, allocate, arrayTypeName, describeArray, firstNonString, isArrayOf, ITEM_SIZE, wellFormedStrings } from "../data-types.js";
import { BoundsError, NodeError, RatZarrError, ReadOnlyError } from "../errors.js";
import { type CachedChunk, type ChunkCache, LruChunkCache } from "./chunk-cache.js";
import { backoff, createKey, DEFAULT_MAX_ATTEMPTS, isConditional, KEEP, updateKey } from "./conditional.js";
import { chunkKey, parseChunkKey } from "./chunk-keys.js";
import { checkBlockSize, checkChunkSize, checkIoOptions } from "./limits.js";
import { KeyedMutex, mapLimit } from "./concurrency.js";
import { type ArrayMetadata, type ChunkKeyEncoding, defaultCodecs, parseArrayMetadata, stringifyArrayMetadata } from "./metadata.js";
import { checkNodeName } from "./names.js";
import { copyBox, fillBox, isAllFill } from "./regions.js";

/**
 * Default byte budget of a handle's decoded-chunk cache: 256 MiB, enough for every chunk of
 * a 20-million-row float64 column, so random single-row reads decode each chunk once.
 * Streaming does not fill it: whole chunks bypass the cache, and a partial block that
 * reaches the end of its chunk drops that chunk (the next block will not need it).
 */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** Default number of chunks read or written at once. */
export const DEFAULT_CONCURRENCY = 4;
/** Default number of chunks read ahead of a sequential reader. */
export const DEFAULT_READ_AHEAD = 2;
/** Partially written chunks held in memory in write-behind mode before the oldest is stored. */
const MAX_DIRTY_CHUNKS = 8;

/** How an array handle does its I/O. */
export interface ArrayOptions extends StoreOptions {
  /** Decoded-chunk cache; share one across the arrays of a handle. Default: a new 256 MiB LRU cache. */
  readonly cache?: ChunkCache | undefined;
  /** Chunks read or written at once. Default 4. */
  readonly concurrency?: number | undefined;
  /** Bound on the decoded size of a chunk whose size the metadata does not fix (strings). */
  readonly maxDecodedBytes?: number | undefined;
  /** Refuse every change. */
  readonly readOnly?: boolean | undefined;
  /**
   * Chunks decoded ahead of a sequential reader: when a read starts where the previous one
   * stopped, the next chunks are fetched and decoded in the background (on Node, on the
   * codec worker threads) while the caller works on this block. Default 2; 0 turns it off.
   */
  readonly readAhead?: number | undefined;
  /**
   * Write-behind: a write resolves once its data is copied, while at most this many chunk
   * writes go on in the background; partially written chunks stay in memory until
   * finished or flushed. `flush()` waits for everything and reports the first failure (a
   * failure also fails the next write or read). Default 0: a write resolves once stored.
   */
  readonly writeBehind?: number | undefined;
}

/** Part of a partially written chunk, kept (a copy of the caller's rows) so that it can be applied again after a conflict. */
interface Edit {
  readonly data: ChunkData;
  readonly count: readonly number[];
  readonly chunkStart: readonly number[];
}

/** A chunk changed in memory (write-behind), not stored yet, with the edits that changed it. */
interface DirtyChunk extends CachedChunk {
  readonly edits: Edit[];
}

/** What a new array is made of; everything but shape, data type and chunk shape has zarr-python's default. */
export interface CreateArrayOptions {
  readonly shape: readonly number[];
  readonly dataType: DataType;
  readonly chunkShape: readonly number[];
  readonly fillValue?: FillValue | undefined;
  readonly codecs?: readonly CodecMetadata[] | undefined;
  readonly attributes?: JsonObject | undefined;
  readonly chunkKeyEncoding?: ChunkKeyEncoding | undefined;
  readonly dimensionNames?: readonly (string | null)[] | undefined;
}

/** The store key of the `zarr.json` of the node at `path`. */
export function metadataKey(path: string): string {
  return path === "" ? "zarr.json" : `${path}/zarr.json`;
}

/** The fill value zarr-python gives a new array of `dataType`: 0, 0.0, false or "". */
export function defaultFillValue(dataType: DataType): FillValue {
  if (dataType === "string") return "";
  if (dataType === "bool") return false;
  if (dataType === "int64" || dataType === "uint64") return 0n;
  return 0;
}

/** Store options, and whether a chunk's codec work may go to another thread (nobody waits on it alone). */
type IoOptions = StoreOptions & { readonly offload?: boolean; readonly detachable?: boolean };

interface ChunkJob {
  readonly coords: number[];
  readonly key: string;
  /** first element of the chunk, in array coordinates */
  readonly origin: number[];
  /** the box of this chunk that the selection covers, chunk-local start */
  readonly chunkStart: number[];
  /** the same box, start in the caller's block */
  readonly blockStart: number[];
  readonly count: number[];
  /** the box is every element of the chunk that lies inside the array */
  readonly whole: boolean;
  /** the box starts inside the chunk and runs to its last row: a sequential pass is done with it */
  readonly finishes: boolean;
}

let handles = 0;
const CONFLICT: unique symbol = Symbol("conflict");

/** A handle on one Zarr v3 array in a store. */
export class ZarrArray<D extends DataType = DataType> {
  private meta: ArrayMetadata;
  /** Cache keys carry the handle's number: a shared cache never serves one handle's chunks to a later array of the same name. */
  private readonly cacheTag = `${++handles}:`;
  private readonly locks = new KeyedMutex();
  private readonly cache: ChunkCache;
  private readonly concurrency: number;
  /** Chunks being fetched ahead of a sequential reader. */
  private readonly ahead = new Map<string, Promise<CachedChunk>>();
  /** Where the last read stopped: a read starting there is sequential. */
  private lastReadStop = 0;
  /** Write-behind: chunk writes still going on, and chunks changed in memory only. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly dirty = new Map<string, DirtyChunk>();
  /** The first write-behind failure not yet reported. */
  private failure: Error | undefined;

  private constructor(
    readonly store: Store,
    readonly path: string,
    metadata: ArrayMetadata,
    private pipeline: CodecPipeline,
    private readonly options: ArrayOptions,
  ) {
    this.meta = metadata;
    this.cache = options.cache ?? new LruChunkCache(DEFAULT_CACHE_BYTES);
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /** Open the array at `path`; a missing or non-array `zarr.json` is an error. */
  static async open<D extends DataType = DataType>(store: Store, path: string, options: ArrayOptions = {}): Promise<ZarrArray<D>> {
    checkIoOptions(options);
    const key = metadataKey(path);
    const bytes = await store.get(key, options);
    if (bytes === undefined) throw new NodeError(path, "no array here (zarr.json is missing)");
    const meta = parseArrayMetadata(bytes, key);
    return new ZarrArray<D>(store, path, meta, await ZarrArray.makePipeline(meta, key, options), options);
  }

  /** Create an array at `path` and write its `zarr.json`; with `overwrite` false (default) an existing node is an error. */
  static async create<D extends DataType>(store: Store, path: string, spec: CreateArrayOptions & { dataType: D }, options: ArrayOptions & { overwrite?: boolean } = {}): Promise<ZarrArray<D>> {
    if (options.readOnly || store.readOnly) throw new ReadOnlyError(`cannot create array "${path}": read-only`);
    checkIoOptions(options);
    for (const part of path.split("/").filter((p) => p !== "")) checkNodeName(part, "node");
    const key = metadataKey(path);
    if (spec.chunkShape.length !== spec.shape.length) throw new BoundsError(`array "${path}": chunk shape [${spec.chunkShape}] has rank ${spec.chunkShape.length}, shape [${spec.shape}] has rank ${spec.shape.length}`);
    const meta: ArrayMetadata = {
      nodeType: "array",
      shape: [...spec.shape],
      dataType: spec.dataType,
      chunkShape: [...spec.chunkShape],
      chunkKeyEncoding: spec.chunkKeyEncoding ?? { name: "default", separator: "/" },
      fillValue: spec.fillValue ?? defaultFillValue(spec.dataType),
      codecs: spec.codecs ?? defaultCodecs(spec.dataType),
      attributes: spec.attributes ?? {},
      dimensionNames: spec.dimensionNames,
      extraFields: {},
    };
    // Round-trip through the parser: what we write is checked like what we read.
    const text = stringifyArrayMetadata(meta);
    const checked = parseArrayMetadata(text, key);
    const pipeline = await ZarrArray.makePipeline(checked, key, options);
    const bytes = new TextEncoder().encode(text);
    if (options.overwrite) await store.set(key, bytes, options);
    // Created only if absent, atomically where the store can: of two processes creating the
    // same array, one wins and the other gets "already exists".
    else if (!(await createKey(store, key, bytes, options))) throw new NodeError(path, "a node already exists here");
    return new ZarrArray<D>(store, path, checked, pipeline, options);
  }

  private static makePipeline(meta: ArrayMetadata, file: string, options: ArrayOptions): Promise<CodecPipeline> {
    checkChunkSize(file, meta.dataType, meta.chunkShape);
    const spec = { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue };
    return CodecPipeline.create(meta.codecs, spec, file, options.maxDecodedBytes === undefined ? {} : { maxDecodedBytes: options.maxDecodedBytes });
  }

  get metadata(): ArrayMetadata { return this.meta; }
  get shape(): readonly number[] { return this.meta.shape; }
  get dataType(): D { return this.meta.dataType as D; }
  get chunkShape(): readonly number[] { return this.meta.chunkShape; }
  get fillValue(): FillValue { return this.meta.fillValue; }
  get attributes(): JsonObject { return this.meta.attributes; }
  /** Elements per row: the product of every dimension after the first (1 for a 1-d array). */
  get rowSize(): number { return this.meta.shape.slice(1).reduce((a, b) => a * b, 1); }

  /** The store key of the chunk at grid coordinates `coords`. */
  chunkKey(coords: readonly number[]): string {
    const k = chunkKey(this.meta.chunkKeyEncoding, coords);
    return this.path === "" ? k : `${this.path}/${k}`;
  }

  /** Re-read `zarr.json` from the store (after another process changed it). */
  async refresh(options: StoreOptions = {}): Promise<void> {
    const key = metadataKey(this.path);
    const bytes = await this.store.get(key, options);
    if (bytes === undefined) throw new NodeError(this.path, "the array has been deleted (zarr.json is missing)");
    const meta = parseArrayMetadata(bytes, key);
    this.ahead.clear();
    if (stringifyCodecs(meta) !== stringifyCodecs(this.meta) || meta.dataType !== this.meta.dataType || String(meta.chunkShape) !== String(this.meta.chunkShape)) {
      this.pipeline = await ZarrArray.makePipeline(meta, key, this.options);
    }
    this.meta = meta;
  }

  private checkRows(start: number, stop: number, what: string): void {
    const rows = this.meta.shape[0] ?? 1;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop) || start < 0 || stop < start || stop > rows) {
      throw new BoundsError(`array "${this.path}": cannot ${what} rows ${start} to ${stop} of ${rows}`);
    }
  }

  /** The chunks that rows [start, stop) touch, with the boxes to move. */
  private jobs(start: number, stop: number): ChunkJob[] {
    const { shape, chunkShape } = this.meta;
    const rank = shape.length;
    if (rank === 0) return [{ coords: [], key: this.chunkKey([]), origin: [], chunkStart: [], blockStart: [], count: [], whole: true, finishes: false }];
    if (stop <= start || shape.some((s) => s === 0)) return [];
    const ranges: [number, number][] = shape.map((s, d) => {
      const c = chunkShape[d]!;
      return d === 0 ? [Math.floor(start / c), Math.floor((stop - 1) / c)] : [0, Math.ceil(s / c) - 1];
    });
    const out: ChunkJob[] = [];
    const coords = ranges.map((r) => r[0]);
    for (;;) {
      const origin = coords.map((c, d) => c * chunkShape[d]!);
      const lo = origin.map((o, d) => (d === 0 ? Math.max(o, start) : o));
      const hi = origin.map((o, d) => Math.min(o + chunkShape[d]!, d === 0 ? stop : shape[d]!));
      const count = lo.map((l, d) => hi[d]! - l);
      const whole = origin.every((o, d) => lo[d] === o && hi[d] === Math.min(o + chunkShape[d]!, shape[d]!));
      const finishes = !whole && lo[0]! > origin[0]! && hi[0] === Math.min(origin[0]! + chunkShape[0]!, shape[0]!);
      out.push({
        coords: [...coords],
        key: this.chunkKey(coords),
        origin,
        chunkStart: lo.map((l, d) => l - origin[d]!),
        blockStart: lo.map((l, d) => (d === 0 ? l - start : l)),
        count,
        whole,
        finishes,
      });
      let d = rank - 1;
      while (d >= 0) {
        if (++coords[d]! <= ranges[d]![1]) break;
        coords[d] = ranges[d]![0];
        d--;
      }
      if (d < 0) return out;
    }
  }

  private blockShape(rows: number): number[] {
    return [rows, ...this.meta.shape.slice(1)];
  }

  /** Decode the chunk at `key`, or undefined when it is not stored. */
  private async loadChunk(key: string, options: IoOptions): Promise<ChunkData | undefined> {
    const bytes = await this.store.get(key, options);
    if (bytes === undefined) return undefined;
    return this.pipeline.decode(bytes, { key, signal: options.signal, offload: options.offload });
  }

  /** Decode the chunk at `key` with its version (a missing chunk: all fill value, version null). */
  private async loadEntry(key: string, options: IoOptions): Promise<CachedChunk> {
    if (isConditional(this.store)) {
      const v = await this.store.getVersioned!(key, options);
      if (v === undefined) return { data: this.fillChunk(), version: null };
      return { data: await this.pipeline.decode(v.data, { key, signal: options.signal, offload: options.offload }), version: v.version };
    }
    return { data: (await this.loadChunk(key, options)) ?? this.fillChunk(), version: undefined };
  }

  private fillChunk(): ChunkData {
    return allocate(this.meta.dataType, this.meta.chunkShape.reduce((a, b) => a * b, 1), this.meta.fillValue) as ChunkData;
  }

  /**
   * Rows [start, stop) (default: all rows) as one flat row-major array. Missing chunks read as the fill value.
   */
  async read(start = 0, stop: number = this.meta.shape[0] ?? 1, options: StoreOptions = {}): Promise<ArrayFor<D>> {
    this.checkRows(start, stop, "read");
    this.throwFailure();
    const { dataType, chunkShape, fillValue } = this.meta;
    const rows = this.meta.shape.length === 0 ? 1 : stop - start;
    // Before planning: a plan of a huge selection would itself exhaust memory.
    checkBlockSize(`array "${this.path}": read at row ${start}`, dataType, rows, this.rowSize);
    const shape = this.blockShape(rows);
    const jobs = this.jobs(start, stop);
    if (jobs.length > 1) options = { ...options, offload: true } as IoOptions;
    // Write-behind: wait for this handle's writes to these chunks.
    if (this.inflight.size > 0 || this.dirty.size > 0) await Promise.all(jobs.map((j) => this.locks.idle(j.key)));
    this.readAheadAfter(start, stop, options);
    // One whole chunk that is exactly the block: hand the freshly decoded chunk over, no copy.
    const only = jobs.length === 1 ? jobs[0]! : undefined;
    if (only !== undefined && only.whole && only.count.every((c, d) => c === chunkShape[d]) && !this.dirty.has(only.key) && this.cache.get(this.cacheTag + only.key) === undefined) {
      const chunk = (await this.takeAhead(only.key)) ?? (await this.loadChunk(only.key, options));
      if (chunk !== undefined) return chunk as ArrayFor<D>;
    }
    const out = allocate(dataType, rows * this.rowSize) as ChunkData;
    await mapLimit(jobs, this.concurrency, async (job) => {
      let chunk = this.dirty.get(job.key)?.data ?? this.cache.get(this.cacheTag + job.key)?.data;
      if (chunk === undefined && job.whole) {
        // Whole chunk, streaming: decode and copy, without filling the cache.
        chunk = (await this.takeAhead(job.key)) ?? (await this.loadChunk(job.key, options));
      } else if (chunk === undefined) {
        // Part of a chunk: cache it for the next small block. Under the chunk's
        // lock so a concurrent write cannot be overwritten by a stale decode.
        chunk = await this.locks.run(job.key, async () => {
          const cached = this.dirty.get(job.key) ?? this.cache.get(this.cacheTag + job.key);
          if (cached !== undefined) return cached.data;
          const pre = this.ahead.get(job.key);
          this.ahead.delete(job.key);
          const loaded = pre !== undefined ? await pre : await this.loadEntry(job.key, options);
          if (!job.finishes) this.cache.set(this.cacheTag + job.key, loaded);
          return loaded.data;
        });
      }
      if (chunk === undefined) fillBox(out, shape, job.blockStart, job.count, dataType, fillValue);
      else copyBox(chunk, chunkShape, job.chunkStart, out, shape, job.blockStart, job.count);
      if (job.finishes) this.cache.delete(this.cacheTag + job.key);
    });
    return out as ArrayFor<D>;
  }

  /** The read-ahead of this chunk, if one was started: its data (a missing chunk reads as fill). */
  private async takeAhead(key: string): Promise<ChunkData | undefined> {
    const pre = this.ahead.get(key);
    if (pre === undefined) return undefined;
    this.ahead.delete(key);
    return (await pre).data;
  }

  /**
   * After a read of rows [start, stop): when it began where the last one ended and covers
   * at least 1/16 of a chunk, start fetching and decoding the next `readAhead` chunks
   * (arrays chunked along rows only). Any other read drops what was fetched ahead.
   */
  private readAheadAfter(start: number, stop: number, options: StoreOptions): void {
    const { shape, chunkShape } = this.meta;
    const sequential = start === this.lastReadStop;
    this.lastReadStop = stop;
    if (!sequential) this.ahead.clear();
    const n = this.options.readAhead ?? DEFAULT_READ_AHEAD;
    if (!sequential || n <= 0 || shape.length === 0 || stop <= start || shape.some((s, d) => d > 0 && s > chunkShape[d]!)) return;
    const rowsPerChunk = chunkShape[0]!;
    // Tiny reads (a viewer stepping row by row) are served from the cache; fetching whole chunks ahead would waste I/O.
    if (stop - start < rowsPerChunk / 16) return;
    const last = Math.floor((stop - 1) / rowsPerChunk);
    for (let i = last + 1; i <= last + n && i * rowsPerChunk < shape[0]!; i++) {
      const key = this.chunkKey([i, ...shape.slice(1).map(() => 0)]);
      if (this.ahead.has(key) || this.dirty.has(key) || this.cache.get(this.cacheTag + key) !== undefined) continue;
      const pending = this.loadEntry(key, { ...options, offload: true });
      // Consumed (and its error reported) by the read that needs it; never an unhandled rejection.
      pending.catch(() => undefined);
      this.ahead.set(key, pending);
    }
  }

  /**
   * Write `data` (flat row-major, a whole number of rows) at row `start`. Resolves when every
   * chunk is in the store; in write-behind mode, once the data is copied (see `writeBehind`).
   */
  async write(start: number, data: ArrayFor<D>, options: StoreOptions = {}): Promise<void> {
    if (this.options.readOnly || this.store.readOnly) throw new ReadOnlyError(`array "${this.path}": cannot write, read-only`);
    this.throwFailure();
    const { dataType } = this.meta;
    if (!isArrayOf(dataType, data)) {
      throw new BoundsError(`array "${this.path}": data type ${dataType} needs a ${arrayTypeName(dataType)}, got a ${describeArray(data)}`);
    }
    const rowSize = this.rowSize;
    const length = (data as ChunkData).length;
    if (length % rowSize !== 0) throw new BoundsError(`array "${this.path}": block of ${length} elements is not a whole number of rows of ${rowSize}`);
    const rows = this.meta.shape.length === 0 ? 1 : length / rowSize;
    this.checkRows(start, start + rows, "write");
    // The whole block is checked before the first chunk is stored: a refused write changes nothing.
    const bad = firstNonString(dataType, data);
    if (bad >= 0) throw new BoundsError(`array "${this.path}": data type string needs strings, got a ${typeof (data as unknown[])[bad]} at row ${start + Math.floor(bad / rowSize)} (element ${bad} of the block)`);
    const shape = this.blockShape(rows);
    const jobs = this.jobs(start, start + rows);
    // Partial chunks are kept in the cache as written: keep there what the store will give back
    // (UTF-8 has no lone surrogates; the encoder writes U+FFFD for them).
    if (dataType === "string" && jobs.some((j) => !j.whole)) data = wellFormedStrings(data as string[]) as ArrayFor<D>;
    for (const job of jobs) this.ahead.delete(job.key);
    const behind = this.options.writeBehind ?? 0;
    if (jobs.length > 1 || behind > 0) options = { ...options, offload: true } as IoOptions;
    if (behind <= 0) {
      await mapLimit(jobs, this.concurrency, (job) =>
        this.locks.run(job.key, () => (job.whole ? this.writeWhole(job.key, this.wholeChunk(job, data as ChunkData, shape, false), options) : this.writePart(job, data as ChunkData, shape, options))),
      );
      return;
    }
    for (const job of jobs) {
      // Copies taken now: the caller may reuse its array as soon as this resolves.
      if (job.whole) {
        const chunk = this.wholeChunk(job, data as ChunkData, shape, true);
        // The copy is this task's alone and unused once encoded: the codec may transfer it.
        const own: IoOptions = { ...options, detachable: true };
        this.track(job.key, this.locks.run(job.key, () => {
          this.dirty.delete(job.key);
          return this.writeWhole(job.key, chunk, own);
        }));
      } else {
        const edit = this.editOf(job, data as ChunkData, shape);
        this.track(job.key, this.locks.run(job.key, () => this.applyEdit(job.key, edit, job.finishes, options)));
      }
      while (this.inflight.size > behind) await Promise.race(this.inflight);
    }
    this.throwFailure();
  }

  /**
   * Write-behind: wait until every write of this handle is stored, partially written chunks
   * included; rejects with the first failure since the last report.
   */
  async flush(options: StoreOptions = {}): Promise<void> {
    const io: IoOptions = { ...options, offload: true };
    // Edits still queued become dirty chunks only when they run: wait for them, then store.
    while (this.inflight.size > 0 || this.dirty.size > 0) {
      while (this.inflight.size > 0) await Promise.all(this.inflight);
      for (const key of [...this.dirty.keys()]) this.track(key, this.locks.run(key, () => this.storeDirty(key, io)));
    }
    this.throwFailure();
  }

  private track(key: string, task: Promise<void>): void {
    const t: Promise<void> = task
      .catch((e: unknown) => {
        this.failure ??= new RatZarrError(`array "${this.path}", chunk "${key}": a write-behind write failed: ${(e as Error).message}`, { cause: e });
      })
      .finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private throwFailure(): void {
    const e = this.failure;
    if (e === undefined) return;
    this.failure = undefined;
    throw e;
  }

  /** The chunk a whole-chunk job stores: a view of the block where it is one run of it (a copy when `own`). */
  private wholeChunk(job: ChunkJob, data: ChunkData, shape: number[], own: boolean): ChunkData {
    const { chunkShape, dataType, fillValue } = this.meta;
    const n = chunkShape.reduce((a, b) => a * b, 1);
    const contiguous = job.count.every((c, d) => c === chunkShape[d] && (d === 0 || c === shape[d]));
    if (contiguous) {
      // The chunk is one run of the block: encode it in place, no copy.
      const off = (job.blockStart[0] ?? 0) * this.rowSize;
      return Array.isArray(data) ? data.slice(off, off + n) : ((own ? data.slice(off, off + n) : data.subarray(off, off + n)) as ChunkData);
    }
    const chunk = allocate(dataType, n, fillValue) as ChunkData;
    copyBox(data, shape, job.blockStart, chunk, chunkShape, job.chunkStart, job.count);
    return chunk;
  }

  /** A chunk the block covers entirely: encode and store, nothing to read. */
  private async writeWhole(key: string, chunk: ChunkData, options: StoreOptions): Promise<void> {
    this.cache.delete(this.cacheTag + key);
    await this.storeChunk(key, chunk, options);
  }

  /** The rows of the block that fall in this job's chunk, copied. */
  private editOf(job: ChunkJob, data: ChunkData, shape: number[]): Edit {
    const part = allocate(this.meta.dataType, job.count.reduce((a, b) => a * b, 1)) as ChunkData;
    copyBox(data, shape, job.blockStart, part, job.count, job.count.map(() => 0), job.count);
    return { data: part, count: job.count, chunkStart: job.chunkStart };
  }

  private applyTo(chunk: ChunkData, edit: Edit): void {
    copyBox(edit.data, edit.count, edit.count.map(() => 0), chunk, this.meta.chunkShape, edit.chunkStart, edit.count);
  }

  /** Write-behind, part of a chunk (under its lock): change it in memory; store it once the block reaches its end. */
  private async applyEdit(key: string, edit: Edit, finishes: boolean, options: StoreOptions): Promise<void> {
    let d = this.dirty.get(key);
    if (d === undefined) {
      const cacheKey = this.cacheTag + key;
      const entry = this.cache.get(cacheKey) ?? (await this.loadEntry(key, options));
      this.cache.delete(cacheKey);
      d = { data: entry.data, version: entry.version, edits: [] };
      this.dirty.set(key, d);
    }
    this.applyTo(d.data, edit);
    d.edits.push(edit);
    if (finishes) {
      await this.storeDirty(key, options, false);
      return;
    }
    // Too many chunks held: store the oldest in the background.
    if (this.dirty.size > MAX_DIRTY_CHUNKS) {
      const oldest = this.dirty.keys().next().value!;
      if (oldest !== key) this.track(oldest, this.locks.run(oldest, () => this.storeDirty(oldest, options)));
    }
  }

  /**
   * Store a chunk changed in memory (under its lock), through `modifyChunk`: on a conflict with
   * another writer the chunk is read again and this handle's edits applied again.
   */
  private async storeDirty(key: string, options: StoreOptions, keep = true): Promise<void> {
    const d = this.dirty.get(key);
    if (d === undefined) return;
    try {
      await this.modifyChunk(key, (chunk) => {
        for (const e of d.edits) this.applyTo(chunk, e);
      }, options, keep, d);
    } finally {
      // Only now: until stored, read-ahead must not fetch the older stored bytes of this chunk.
      this.dirty.delete(key);
    }
  }

  /** Part of a chunk: read (cache first), change, store, keep the result cached. */
  private writePart(job: ChunkJob, data: ChunkData, shape: number[], options: StoreOptions): Promise<void> {
    return this.modifyChunk(job.key, (chunk) => copyBox(data, shape, job.blockStart, chunk, this.meta.chunkShape, job.chunkStart, job.count), options, !job.finishes);
  }

  /**
   * Read-modify-write of one chunk (the caller holds its lock). Where the store has
   * conditional writes, the chunk is stored only if nobody changed it since it was read;
   * otherwise it is read again and `mutate` applied again, so two processes writing
   * different rows of one chunk both land.
   */
  private async modifyChunk(key: string, mutate: (chunk: ChunkData) => void, options: StoreOptions, keep = true, applied?: CachedChunk): Promise<void> {
    const cacheKey = this.cacheTag + key;
    for (let attempt = 0; ; attempt++) {
      // `applied`: a chunk `mutate` has already changed (write-behind); later attempts start afresh.
      let entry: CachedChunk;
      if (attempt === 0 && applied !== undefined) {
        entry = applied;
      } else {
        entry = this.cache.get(cacheKey) ?? (await this.loadEntry(key, options));
        mutate(entry.data);
      }
      let stored: string | null | undefined | typeof CONFLICT;
      try {
        stored = await this.storeChunkIf(key, entry.data, entry.version, options);
      } catch (e) {
        // The cached chunk may now hold bytes the store does not: drop it.
        this.cache.delete(cacheKey);
        throw e;
      }
      if (stored !== CONFLICT) {
        if (keep) this.cache.set(cacheKey, { data: entry.data, version: stored });
        else this.cache.delete(cacheKey);
        return;
      }
      this.cache.delete(cacheKey);
      if (attempt + 1 >= DEFAULT_MAX_ATTEMPTS) throw new RatZarrError(`array "${this.path}", chunk "${key}": gave up after ${attempt + 1} attempts, other writers kept changing it`);
      await backoff(attempt, options.signal);
    }
  }

  /** Encode and store a chunk, or delete its key when it is all fill value (zarr-python's default). */
  private async storeChunk(key: string, chunk: ChunkData, options: IoOptions): Promise<void> {
    if (isAllFill(chunk, this.meta.dataType, this.meta.fillValue)) {
      await this.store.delete(key, options);
      return;
    }
    const bytes = await this.pipeline.encode(chunk, { key, signal: options.signal, offload: options.offload, detachable: options.detachable });
    await this.store.set(key, bytes, options);
  }

  /**
   * Store a chunk read at version `expected` (null: it was missing; undefined: the store has no
   * versions). Resolves with the new version (null when nothing is stored now), or CONFLICT.
   */
  private async storeChunkIf(key: string, chunk: ChunkData, expected: string | null | undefined, options: IoOptions): Promise<string | null | undefined | typeof CONFLICT> {
    if (expected === undefined || this.store.setIfVersion === undefined) {
      await this.storeChunk(key, chunk, options);
      return undefined;
    }
    if (isAllFill(chunk, this.meta.dataType, this.meta.fillValue)) {
      if (expected === null) return null;
      if (this.store.deleteIfVersion !== undefined) return (await this.store.deleteIfVersion(key, expected, options)) ? null : CONFLICT;
      // No conditional delete (S3): store the all-fill chunk instead; it reads the same.
    }
    const bytes = await this.pipeline.encode(chunk, { key, signal: options.signal, offload: options.offload });
    return (await this.store.setIfVersion(key, bytes, expected, options)) ?? CONFLICT;
  }

  /**
   * Change the shape. Chunks wholly outside the new shape are deleted, and on a shrink the
   * cut-off part of a partial edge chunk is reset to the fill value, so a later grow reads
   * fill, not old values (FORMAT.md, Resize). The new `zarr.json` is written last.
   */
  async resize(newShape: readonly number[], options: StoreOptions = {}): Promise<void> {
    if (this.options.readOnly || this.store.readOnly) throw new ReadOnlyError(`array "${this.path}": cannot resize, read-only`);
    const { shape, chunkShape, dataType, fillValue } = this.meta;
    if (newShape.length !== shape.length || newShape.some((s) => !Number.isSafeInteger(s) || s < 0)) {
      throw new BoundsError(`array "${this.path}": cannot resize [${shape}] to [${newShape}]`);
    }
    if (newShape.every((s, d) => s === shape[d])) return;
    await this.flush(options);
    this.ahead.clear();
    const newGrid = newShape.map((s, d) => Math.ceil(s / chunkShape[d]!));
    const doomed: string[] = [];
    const cut: number[][] = [];
    // Only a shrink touches chunks, and only stored ones: list them rather than walk the grid,
    // which can be astronomically large (a row count of 1e15 with few chunks written).
    if (newShape.some((s, d) => s < shape[d]!)) {
      const prefix = this.path === "" ? "" : `${this.path}/`;
      for (const key of await collectKeys(this.store.list(prefix, options))) {
        const coords = parseChunkKey(this.meta.chunkKeyEncoding, key.slice(prefix.length), shape.length);
        if (coords === undefined) continue;
        if (coords.some((c, d) => c >= newGrid[d]!)) doomed.push(key);
        else if (coords.some((c, d) => newShape[d]! < shape[d]! && (c + 1) * chunkShape[d]! > newShape[d]!)) cut.push(coords);
      }
    }
    await mapLimit(cut, this.concurrency, (coords) => {
      const key = this.chunkKey(coords);
      return this.locks.run(key, () =>
        this.modifyChunk(key, (chunk) => {
          for (let d = 0; d < shape.length; d++) {
            const keep = newShape[d]! - coords[d]! * chunkShape[d]!;
            if (keep >= chunkShape[d]!) continue;
            const start = chunkShape.map((_, e) => (e === d ? keep : 0));
            const count = chunkShape.map((c, e) => (e === d ? c - keep : c));
            fillBox(chunk, chunkShape, start, count, dataType, fillValue);
          }
        }, options),
      );
    });
    await mapLimit(doomed, this.concurrency * 4, (key) =>
      this.locks.run(key, async () => {
        this.cache.delete(this.cacheTag + key);
        await this.store.delete(key, options);
      }),
    );
    await this.updateMetadata((m) => ({ ...m, shape: [...newShape] }), options);
  }

  /** Replace the attributes (other writers' changes to them are overwritten; see `updateAttributes`). */
  async setAttributes(attributes: JsonObject, options: StoreOptions = {}): Promise<void> {
    await this.updateMetadata((m) => ({ ...m, attributes }), options);
  }

  /** Re-read the stored attributes, apply `change` to them, and write the result; never loses another writer's update. */
  async updateAttributes(change: (attributes: JsonObject) => JsonObject, options: StoreOptions = {}): Promise<JsonObject> {
    const meta = await this.updateMetadata((m) => ({ ...m, attributes: change(structuredClone(m.attributes)) }), options);
    return meta.attributes;
  }

  /** Read-modify-write of `zarr.json` against what is stored now (conditional where the store can). */
  private async updateMetadata(change: (meta: ArrayMetadata) => ArrayMetadata, options: StoreOptions): Promise<ArrayMetadata> {
    if (this.options.readOnly || this.store.readOnly) throw new ReadOnlyError(`array "${this.path}": cannot change metadata, read-only`);
    const key = metadataKey(this.path);
    let next: ArrayMetadata = this.meta;
    await updateKey(this.store, key, (current) => {
      if (current === undefined) throw new NodeError(this.path, "the array has been deleted (zarr.json is missing)");
      const text = stringifyArrayMetadata(change(parseArrayMetadata(current, key)));
      next = parseArrayMetadata(text, key);
      return text === new TextDecoder().decode(current) ? KEEP : new TextEncoder().encode(text);
    }, options);
    this.meta = next;
    return next;
  }

  /** Bytes one decoded chunk holds (strings: not fixed, undefined). */
  get chunkBytes(): number | undefined {
    const { dataType, chunkShape } = this.meta;
    return dataType === "string" ? undefined : chunkShape.reduce((a, b) => a * b, 1) * ITEM_SIZE[dataType];
  }
}

function stringifyCodecs(m: ArrayMetadata): string {
  return stringifyArrayMetadata({ ...m, attributes: {}, shape: m.shape.map(() => 0) });
}
