/**
 * One Zarr v3 array: block reads and writes along the first dimension,
 * resize and attributes. The handle composes the parts: a pure plan of the
 * chunks a block touches (chunk-plan.ts), chunk I/O through store, codecs
 * and cache (chunk-io.ts), read-ahead and write-behind (their own files).
 * Whole chunks take the fast path (encode and store, or decode and copy);
 * partial chunks are read-modify-written, one write at a time per chunk.
 *
 * Why one file of ~440 lines: the handle's open, create, read, write, resize
 * and attributes are each a screen of code composing the parts named above.
 */
import { collectKeys, type Store, type StoreOptions } from "../stores/store.js";
import type { JsonObject } from "../codecs/codec.js";
import { CodecPipeline } from "../codecs/pipeline.js";
import { type CodecRegistry, standardCodecs } from "../codecs/registry.js";
import { type ArrayFor, type ChunkData, type DataType, type FillValue, allocate, arrayTypeName, describeArray, firstNonString, isArrayOf, ITEM_SIZE, storedForm, STRINGS_CHECKED, type StringsChecked } from "../data-types.js";
import { BoundsError, NodeError } from "../errors.js";
import { refuseIfReadOnly } from "./read-only.js";
import { LruChunkCache } from "./chunk-cache.js";
import { type ArrayOptions, type CreateArrayOptions, DEFAULT_CACHE_BYTES, DEFAULT_CONCURRENCY, DEFAULT_READ_AHEAD, defaultFillValue } from "./array-options.js";
import { type ChunkCallOptions, ChunkIO } from "./chunk-io.js";
import { type ChunkJob, planRows } from "./chunk-plan.js";
import { createKey, KEEP, updateKey } from "./conditional.js";
import { KeyedMutex, mapLimit } from "./concurrency.js";
import { copyBox, elementCount, fillBox } from "../grid.js";
import { arrayChunkKey, metadataKey, parseArrayChunkKey } from "./keys.js";
import { checkBlockSize, checkChunkSize, checkIoOptions } from "./limits.js";
import { type ArrayMetadata, type CodecKinds, defaultCodecs, parseArrayMetadata, stringifyArrayMetadata } from "./metadata.js";
import { checkNodeName } from "./names.js";
import { ReadAhead } from "./read-ahead.js";
import { type Edit, WriteBehind } from "./write-behind.js";

export { metadataKey };
export { DEFAULT_CACHE_BYTES, DEFAULT_CONCURRENCY, DEFAULT_READ_AHEAD, defaultFillValue } from "./array-options.js";
export type { ArrayOptions, CreateArrayOptions } from "./array-options.js";

const offloaded: ChunkCallOptions["schedule"] = { offload: true };

/**
 * Reads of any array handle under way in this thread. With more than one (a viewer reading one
 * row of each of 300 columns at once), nobody waits on one chunk alone, so each decode may go
 * to a codec worker thread: both cores work. A scheduling hint, nothing more.
 */
let readsUnderWay = 0;

/** A handle on one Zarr v3 array in a store. */
export class ZarrArray<D extends DataType = DataType> {
  private meta: ArrayMetadata;
  private readonly locks = new KeyedMutex();
  private readonly concurrency: number;
  private readonly chunks: ChunkIO;
  private readonly ahead: ReadAhead;
  /** Write-behind, when the handle has it. */
  private readonly behind: WriteBehind | undefined;

  protected constructor(
    readonly store: Store,
    readonly path: string,
    metadata: ArrayMetadata,
    pipeline: CodecPipeline,
    private readonly options: ArrayOptions,
  ) {
    this.meta = metadata;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.chunks = new ChunkIO(store, options.cache ?? new LruChunkCache(DEFAULT_CACHE_BYTES), metadata, pipeline, path);
    this.ahead = new ReadAhead(options.readAhead ?? DEFAULT_READ_AHEAD);
    const limit = options.writeBehind ?? 0;
    this.behind = limit > 0 ? new WriteBehind(this.chunks, this.locks, limit, (chunk, edit) => this.applyEdit(chunk, edit), path) : undefined;
  }

  /** Open the array at `path`; a missing or non-array `zarr.json` is an error. */
  static async open<D extends DataType = DataType>(store: Store, path: string, options: ArrayOptions = {}): Promise<ZarrArray<D>> {
    checkIoOptions(options);
    const key = metadataKey(path);
    const bytes = await store.get(key, options);
    if (bytes === undefined) throw new NodeError(path, "no array here (zarr.json is missing)", { code: "missing" });
    return this.fromMetadata<D>(store, path, bytes, options);
  }

  /** The array at `path` whose `zarr.json` the caller has already fetched (`bytes`, as stored). */
  static async fromMetadata<D extends DataType = DataType>(store: Store, path: string, bytes: Uint8Array, options: ArrayOptions = {}): Promise<ZarrArray<D>> {
    checkIoOptions(options);
    const key = metadataKey(path);
    const o = this.withCodecs(options);
    const meta = parseArrayMetadata(bytes, key, kindsOf(o));
    return new this(store, path, meta, await ZarrArray.makePipeline(meta, key, o), o) as ZarrArray<D>;
  }

  /** The codecs when the caller passes none: the core's standard registry here; the Node entry's subclass gives the Node one. */
  protected static defaultCodecs(): CodecRegistry {
    return standardCodecs();
  }

  private static withCodecs(options: ArrayOptions): ArrayOptions {
    return options.codecs !== undefined ? options : { ...options, codecs: this.defaultCodecs() };
  }

  /** Create an array at `path` and write its `zarr.json`; with `overwrite` false (default) an existing node is an error. */
  static async create<D extends DataType>(store: Store, path: string, spec: CreateArrayOptions & { dataType: D }, options: ArrayOptions & { overwrite?: boolean } = {}): Promise<ZarrArray<D>> {
    refuseIfReadOnly(options.readOnly, store, `cannot create array "${path}": read-only`);
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
    const o = this.withCodecs(options);
    const checked = parseArrayMetadata(text, key, kindsOf(o));
    const pipeline = await ZarrArray.makePipeline(checked, key, o);
    const bytes = new TextEncoder().encode(text);
    if (options.overwrite) await store.set(key, bytes, options);
    // Created only if absent, atomically where the store can: of two processes creating the
    // same array, one wins and the other gets "already exists".
    else if (!(await createKey(store, key, bytes, options))) throw new NodeError(path, "a node already exists here", { code: "exists" });
    return new this(store, path, checked, pipeline, o) as ZarrArray<D>;
  }

  private static makePipeline(meta: ArrayMetadata, file: string, options: ArrayOptions): Promise<CodecPipeline> {
    checkChunkSize(file, meta.dataType, meta.chunkShape);
    const spec = { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue };
    return CodecPipeline.create(meta.codecs, spec, file, { maxDecodedBytes: options.maxDecodedBytes, codecs: options.codecs });
  }

  get metadata(): ArrayMetadata { return this.meta; }
  get shape(): readonly number[] { return this.meta.shape; }
  get dataType(): D { return this.meta.dataType as D; }
  get chunkShape(): readonly number[] { return this.meta.chunkShape; }
  get fillValue(): FillValue { return this.meta.fillValue; }
  get attributes(): JsonObject { return this.meta.attributes; }
  /** Elements per row: the product of every dimension after the first (1 for a 1-d array). */
  get rowSize(): number { return elementCount(this.meta.shape.slice(1)); }

  /** The store key of the chunk at grid coordinates `coords`. */
  chunkKey(coords: readonly number[]): string {
    return arrayChunkKey(this.path, this.meta.chunkKeyEncoding, coords);
  }

  /** Re-read `zarr.json` from the store (after another process changed it). */
  async refresh(options: StoreOptions = {}): Promise<void> {
    const key = metadataKey(this.path);
    const bytes = await this.store.get(key, options);
    if (bytes === undefined) throw new NodeError(this.path, "the array has been deleted (zarr.json is missing)", { code: "missing" });
    const meta = parseArrayMetadata(bytes, key, kindsOf(this.options));
    this.ahead.clear();
    const changed = stringifyCodecs(meta) !== stringifyCodecs(this.meta) || meta.dataType !== this.meta.dataType || String(meta.chunkShape) !== String(this.meta.chunkShape);
    this.chunks.reconfigure(meta, changed ? await ZarrArray.makePipeline(meta, key, this.options) : undefined);
    this.meta = meta;
  }

  private checkWritable(what: string): void {
    refuseIfReadOnly(this.options.readOnly, this.store, `array "${this.path}": cannot ${what}, read-only`);
  }

  private checkRows(start: number, stop: number, what: string): void {
    const rows = this.meta.shape[0] ?? 1;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop) || start < 0 || stop < start || stop > rows) {
      throw new BoundsError(`array "${this.path}": cannot ${what} rows ${start} to ${stop} of ${rows}`);
    }
  }

  /** The chunks that rows [start, stop) touch, with the boxes to move. */
  private plan(start: number, stop: number): ChunkJob[] {
    return planRows(this.meta.shape, this.meta.chunkShape, start, stop, (coords) => this.chunkKey(coords));
  }

  private blockShape(rows: number): number[] {
    return [rows, ...this.meta.shape.slice(1)];
  }

  /** The chunk of `key` as this handle knows it without I/O: written in memory (write-behind), else cached. */
  private atHand(key: string): ChunkData | undefined {
    return this.behind?.dirtyData(key) ?? this.chunks.cached(key)?.data;
  }

  private isAtHand(key: string): boolean {
    return this.behind?.isDirty(key) === true || this.chunks.isCached(key);
  }

  /**
   * Rows [start, stop) (default: all rows) as one flat row-major array. Missing chunks read as the fill value.
   */
  async read(start = 0, stop: number = this.meta.shape[0] ?? 1, options: StoreOptions = {}): Promise<ArrayFor<D>> {
    readsUnderWay++;
    try {
      return await this.readRows(start, stop, options);
    } finally {
      readsUnderWay--;
    }
  }

  private async readRows(start: number, stop: number, options: StoreOptions): Promise<ArrayFor<D>> {
    this.checkRows(start, stop, "read");
    this.behind?.throwFailure();
    const { dataType, chunkShape, fillValue } = this.meta;
    const rows = this.meta.shape.length === 0 ? 1 : stop - start;
    // Before planning: a plan of a huge selection would itself exhaust memory.
    checkBlockSize(`array "${this.path}": read at row ${start}`, dataType, rows, this.rowSize);
    const shape = this.blockShape(rows);
    const jobs = this.plan(start, stop);
    const io: ChunkCallOptions = jobs.length > 1 || readsUnderWay > 1 ? { ...options, schedule: offloaded } : options;
    // Write-behind: wait for this handle's writes to these chunks.
    if (this.behind?.busy) await Promise.all(jobs.map((j) => this.locks.idle(j.key)));
    this.readAheadAfter(start, stop, options);
    // One whole chunk that is exactly the block: hand the freshly decoded chunk over, no copy.
    const only = jobs.length === 1 ? jobs[0]! : undefined;
    if (only !== undefined && only.whole && only.count.every((c, d) => c === chunkShape[d]) && !this.isAtHand(only.key)) {
      const chunk = (await this.ahead.takeData(only.key)) ?? (await this.chunks.load(only.key, io));
      if (chunk !== undefined) return chunk as ArrayFor<D>;
    }
    const out = allocate(dataType, rows * this.rowSize) as ChunkData;
    // A cached or dirty chunk is copied from without awaiting in between: once a write stores
    // and drops it, its array may be reused for another chunk (ChunkIO.recycle).
    const copy = (chunk: ChunkData | undefined, job: ChunkJob) => {
      if (chunk === undefined) fillBox(out, shape, job.blockStart, job.count, dataType, fillValue);
      else copyBox(chunk, chunkShape, job.chunkStart, out, shape, job.blockStart, job.count);
      if (job.finishes) this.chunks.forget(job.key);
    };
    await mapLimit(jobs, this.concurrency, async (job) => {
      const chunk = this.atHand(job.key);
      if (chunk !== undefined) {
        copy(chunk, job);
      } else if (job.whole) {
        // Whole chunk, streaming: decode and copy, without filling the cache.
        copy((await this.ahead.takeData(job.key)) ?? (await this.chunks.load(job.key, io)), job);
      } else {
        // Part of a chunk: cache it for the next small block. Under the chunk's
        // lock so a concurrent write cannot be overwritten by a stale decode.
        await this.locks.run(job.key, async () => {
          const known = this.atHand(job.key);
          if (known !== undefined) return copy(known, job);
          const loaded = await (this.ahead.take(job.key) ?? this.chunks.loadEntry(job.key, io));
          if (!job.finishes) this.chunks.remember(job.key, loaded);
          copy(loaded.data, job);
        });
      }
    });
    return out as ArrayFor<D>;
  }

  /** Start read-ahead after a read of rows [start, stop), for arrays chunked along rows only. */
  private readAheadAfter(start: number, stop: number, options: StoreOptions): void {
    const { shape, chunkShape } = this.meta;
    const alongRows = shape.length > 0 && shape.every((s, d) => d === 0 || s <= chunkShape[d]!);
    this.ahead.after(
      start, stop, shape[0] ?? 0, alongRows ? chunkShape[0] : undefined,
      (i) => this.chunkKey([i, ...shape.slice(1).map(() => 0)]),
      (key) => this.isAtHand(key),
      (key) => this.chunks.prefetch(key, { ...options, schedule: offloaded }),
    );
  }

  /**
   * Write `data` (flat row-major, a whole number of rows) at row `start`. Resolves when every
   * chunk is in the store; in write-behind mode, once the data is copied (see `writeBehind`).
   */
  async write(start: number, data: ArrayFor<D>, options: StoreOptions & StringsChecked = {}): Promise<void> {
    this.checkWritable("write");
    this.behind?.throwFailure();
    const { dataType } = this.meta;
    if (!isArrayOf(dataType, data)) {
      throw new BoundsError(`array "${this.path}": data type ${dataType} needs a ${arrayTypeName(dataType)}, got a ${describeArray(data)}`, { code: "type" });
    }
    const rowSize = this.rowSize;
    const length = (data as ChunkData).length;
    if (length % rowSize !== 0) throw new BoundsError(`array "${this.path}": block of ${length} elements is not a whole number of rows of ${rowSize}`);
    const rows = this.meta.shape.length === 0 ? 1 : length / rowSize;
    this.checkRows(start, start + rows, "write");
    // The whole block is checked before the first chunk is stored: a refused write changes nothing.
    const bad = options[STRINGS_CHECKED] === true ? -1 : firstNonString(dataType, data);
    if (bad >= 0) throw new BoundsError(`array "${this.path}": data type string needs strings, got a ${typeof (data as unknown[])[bad]} at row ${start + Math.floor(bad / rowSize)} (element ${bad} of the block)`, { code: "type" });
    const shape = this.blockShape(rows);
    const jobs = this.plan(start, start + rows);
    // Partial chunks are kept in the cache as written: keep there what the store will give back.
    if (jobs.some((j) => !j.whole)) data = storedForm(dataType, data as ChunkData) as ArrayFor<D>;
    const block = data as ChunkData;
    for (const job of jobs) this.ahead.drop(job.key);
    if (this.behind === undefined) {
      const io: ChunkCallOptions = jobs.length > 1 ? { ...options, schedule: offloaded } : options;
      await mapLimit(jobs, this.concurrency, (job) =>
        this.locks.run(job.key, () =>
          job.whole
            ? this.chunks.storeWhole(job.key, this.wholeChunk(job, block, shape, false), io)
            : this.chunks.modify(job.key, (chunk) => copyBox(block, shape, job.blockStart, chunk, this.meta.chunkShape, job.chunkStart, job.count), io, !job.finishes),
        ),
      );
      return;
    }
    // Copies taken now: the caller may reuse its array as soon as this resolves.
    for (const job of jobs) {
      if (job.whole) await this.behind.whole(job.key, this.wholeChunk(job, block, shape, true), options);
      else await this.behind.edit(job.key, this.editOf(job, block, shape), job.finishes, options);
    }
    this.behind.throwFailure();
  }

  /**
   * Write-behind: wait until every write of this handle is stored, partially written chunks
   * included; rejects with the first failure since the last report.
   */
  async flush(options: StoreOptions = {}): Promise<void> {
    await this.behind?.flush(options);
  }

  /** The chunk a whole-chunk job stores: a view of the block where it is one run of it (a copy when `own`). */
  private wholeChunk(job: ChunkJob, data: ChunkData, shape: number[], own: boolean): ChunkData {
    const { chunkShape, dataType, fillValue } = this.meta;
    const n = elementCount(chunkShape);
    const contiguous = job.count.every((c, d) => c === chunkShape[d] && (d === 0 || c === shape[d]));
    if (contiguous) {
      // The chunk is one run of the block: encode it in place, no copy.
      const off = (job.blockStart[0] ?? 0) * this.rowSize;
      // Strings have no views: the block itself when it is exactly this chunk, else a copy.
      if (Array.isArray(data)) return !own && off === 0 && n === data.length ? data : data.slice(off, off + n);
      return (own ? data.slice(off, off + n) : data.subarray(off, off + n)) as ChunkData;
    }
    const chunk = allocate(dataType, n, fillValue) as ChunkData;
    copyBox(data, shape, job.blockStart, chunk, chunkShape, job.chunkStart, job.count);
    return chunk;
  }

  /** The rows of the block that fall in this job's chunk, copied. */
  private editOf(job: ChunkJob, data: ChunkData, shape: number[]): Edit {
    const part = allocate(this.meta.dataType, elementCount(job.count)) as ChunkData;
    copyBox(data, shape, job.blockStart, part, job.count, job.count.map(() => 0), job.count);
    return { data: part, count: job.count, chunkStart: job.chunkStart };
  }

  private applyEdit(chunk: ChunkData, edit: Edit): void {
    copyBox(edit.data, edit.count, edit.count.map(() => 0), chunk, this.meta.chunkShape, edit.chunkStart, edit.count);
  }

  /**
   * Change the shape. Chunks wholly outside the new shape are deleted, and on a shrink the
   * cut-off part of a partial edge chunk is reset to the fill value, so a later grow reads
   * fill, not old values (FORMAT.md, Resize). The new `zarr.json` is written last.
   */
  async resize(newShape: readonly number[], options: StoreOptions = {}): Promise<void> {
    this.checkWritable("resize");
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
        const coords = parseArrayChunkKey(this.path, this.meta.chunkKeyEncoding, key, shape.length);
        if (coords === undefined) continue;
        if (coords.some((c, d) => c >= newGrid[d]!)) doomed.push(key);
        else if (coords.some((c, d) => newShape[d]! < shape[d]! && (c + 1) * chunkShape[d]! > newShape[d]!)) cut.push(coords);
      }
    }
    await mapLimit(cut, this.concurrency, (coords) => {
      const key = this.chunkKey(coords);
      return this.locks.run(key, () =>
        this.chunks.modify(key, (chunk) => {
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
        this.chunks.forget(key);
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
    this.checkWritable("change metadata");
    const key = metadataKey(this.path);
    let next: ArrayMetadata = this.meta;
    await updateKey(this.store, key, (current) => {
      if (current === undefined) throw new NodeError(this.path, "the array has been deleted (zarr.json is missing)", { code: "missing" });
      const text = stringifyArrayMetadata(change(parseArrayMetadata(current, key, kindsOf(this.options))));
      next = parseArrayMetadata(text, key, kindsOf(this.options));
      return text === new TextDecoder().decode(current) ? KEEP : new TextEncoder().encode(text);
    }, options);
    this.chunks.reconfigure(next);
    this.meta = next;
    return next;
  }

  /** Bytes one decoded chunk holds (strings: not fixed, undefined). */
  get chunkBytes(): number | undefined {
    const { dataType, chunkShape } = this.meta;
    return dataType === "string" ? undefined : elementCount(chunkShape) * ITEM_SIZE[dataType];
  }
}

/** The codec kinds an array's `zarr.json` is checked against: its registry's. */
function kindsOf(options: ArrayOptions): CodecKinds | undefined {
  const codecs = options.codecs;
  return codecs === undefined ? undefined : (name) => codecs.kind(name);
}

function stringifyCodecs(m: ArrayMetadata): string {
  return stringifyArrayMetadata({ ...m, attributes: {}, shape: m.shape.map(() => 0) });
}
