/**
 * RatZarr: a raster attribute table kept as a Zarr v3 group, with the API of
 * Python `ratzarr` 1.0.2+ in TypeScript idiom and files interchangeable with
 * it (FORMAT.md). One 1-d array per column (2-d `[rows, width]` for
 * multi-valued columns) under the `RAT` group, chunked along rows.
 *
 * Why one file of ~590 lines: it is the public `RatZarr` class, about thirty
 * short methods mirroring Python ratzarr's API plus eight one-line GDAL
 * methods that delegate to gdal-meaning.ts (a class cannot be split across
 * files without patching its prototype); everything with a concern of its
 * own already lives beside it (options, layout, location, arguments,
 * alignment, log, attribute mappings, typed columns, GDAL meaning, the applier).
 */
import type { Store, StoreOptions } from "../stores/store.js";
import { deleteAll } from "../stores/store.js";
import type { JsonValue } from "../codecs/codec.js";
import { type ArrayFor, type DataType, arrayTypeName, describeArray, firstNonString, isArrayOf, isDataType, STRINGS_CHECKED, withArticle } from "../data-types.js";
import { BoundsError, NodeError, ReadOnlyError, RatZarrError, showValue } from "../errors.js";
import { DEFAULT_CACHE_BYTES, DEFAULT_CONCURRENCY, ZarrArray } from "../format/array.js";
import { metadataKey } from "../format/keys.js";
import { type ChunkCache, LruChunkCache } from "../format/chunk-cache.js";
import { mapLimit } from "../format/concurrency.js";
import { checkChunkSize, checkIntegerOption, checkIoOptions } from "../format/limits.js";
import { readNodeMetadata, ZarrGroup } from "../format/group.js";
import { nodeNameProblem } from "../format/names.js";
import { AttributeMapping } from "./attribute-mapping.js";
import { RatColumn } from "./column.js";
import { type RatLocation, resolveLocation, storeLocation } from "./location.js";
import { type ModificationEvent, modificationEvent, parseModificationLog } from "./modification-log.js";
import { type Runtime, webRuntime } from "./runtime.js";
import { checkCount, checkPath, columnName } from "./arguments.js";
import { alignmentWarning } from "./alignment.js";
import { type ColumnDataType, locateOptions, type RatZarrOptions, settleOpenOptions, type StaticOptions } from "./options.js";
import { DEFAULT_CHUNK_SIZE, isValidAt, RAT_GROUP, ratState, readIntAttribute } from "./layout.js";
import * as gdal from "./gdal-meaning.js";

export { DEFAULT_CHUNK_SIZE, RAT_GROUP } from "./layout.js";
export type { ColumnDataType, RatZarrOptions, StaticOptions } from "./options.js";

/** Column zarr.json rewrites in flight when a row-count grow resizes every column. */
const RESIZES_IN_FLIGHT = 32;

/** A handle on one RAT. Make one with `RatZarr.open`; close it with `close()` or `await using`. */
export class RatZarr {
  private readonly columns = new Map<string, Promise<ZarrArray>>();
  private readonly logged = new Set<string>();
  private readonly warned = new Set<string>();
  private closed = false;

  protected constructor(
    private readonly runtime: Runtime,
    private readonly location: RatLocation,
    private readonly group: ZarrGroup,
    /** What a file from before `ROWCOUNT`/`CHUNKSIZE` (opened read-only, so not migrated) stands for. */
    private readonly legacy: { readonly rowCount: number; readonly chunkSize: number },
    private readonly options: RatZarrOptions,
    private readonly cache: ChunkCache,
  ) {}

  /** The row count: the `ROWCOUNT` of the RAT group as last read, its one home (FORMAT.md). */
  private get rowCount(): number {
    return readIntAttribute(this.group.attributes, "ROWCOUNT", metadataKey(RAT_GROUP), 0) ?? this.legacy.rowCount;
  }

  /** Rows per chunk of new columns: the `CHUNKSIZE` of the RAT group as last read. */
  private get chunkSize(): number {
    return readIntAttribute(this.group.attributes, "CHUNKSIZE", metadataKey(RAT_GROUP), 1) ?? this.legacy.chunkSize;
  }

  /** The store the RAT lives in. */
  get store(): Store {
    return this.location.store;
  }

  /** The path or URL the RAT was opened with. */
  get path(): string {
    return this.location.description;
  }

  /** True when the handle refuses changes. */
  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /** The runtime when the caller passes none: the web one here; the Node entry's subclass gives the Node one. */
  protected static defaultRuntime(): Runtime {
    return webRuntime;
  }

  private static async locate(path: string | Store, runtime: Runtime, options: RatZarrOptions): Promise<RatLocation> {
    if (options.store !== undefined) return storeLocation(options.store, typeof path === "string" ? path : "(store)");
    checkPath(path);
    return resolveLocation(path, runtime.platform, { readOnly: options.readOnly === true, s3: options.s3, http: options.http });
  }

  /**
   * Open the RAT at `path` (a local path, a `file://` URL, an `http(s)://` URL, or a `Store`),
   * creating it when nothing is there and `create` is true. A path that holds something other
   * than a RAT is an error and is left untouched. An `http(s)://` URL opens read-only even
   * without `readOnly` (options `http` for its store; `columns` where the server cannot list).
   */
  static async open(path: string | Store, given: RatZarrOptions = {}): Promise<RatZarr> {
    const options = settleOpenOptions(path, given);
    // Every numeric option is checked before anything is touched (a NaN concurrency once lost writes).
    checkIoOptions(options);
    checkIntegerOption("cacheBytes", options.cacheBytes, 0);
    const runtime = options.runtime ?? this.defaultRuntime();
    const loc = await this.locate(path, runtime, options);
    try {
      return await this.openAt(loc, runtime, options);
    } catch (e) {
      loc.close?.();
      throw e;
    }
  }

  private static async openAt(loc: RatLocation, runtime: Runtime, options: RatZarrOptions): Promise<RatZarr> {
    const readOnly = options.readOnly === true;
    const create = options.create ?? true;
    const io = { signal: options.signal };
    const exists = await loc.exists(io);
    if (!exists && readOnly) throw new NodeError(loc.description, "readOnly is true, but there is no RAT here", { code: "missing" });
    if (!exists && !create) throw new NodeError(loc.description, "there is no RAT here, and create is false", { code: "missing" });
    const state = exists ? await ratState(loc.store, io) : "absent";
    if (state === "other") throw new NodeError(loc.description, "this path exists but holds no RAT (zarr.json and RAT/zarr.json are needed); left untouched", { code: "not-a-rat" });
    if (state === "unfinished" && readOnly) throw new NodeError(loc.description, "the creation of this RAT was interrupted (a RAT group and no root zarr.json); open it writable once to finish it", { code: "not-a-rat" });
    const store = loc.store;
    let group: ZarrGroup;
    // Absent, or created up to the RAT group by a writer that stopped there (a crash): finish it.
    if (state !== "valid") {
      // require, not create: several processes may create the same new RAT at once. The RAT
      // group first and the root last: a crash in between leaves a RAT group nobody else
      // makes (recognised and finished above), never an empty root group, which could be anyone's.
      group = await ZarrGroup.require(store, RAT_GROUP, { ROWCOUNT: 0, CHUNKSIZE: DEFAULT_CHUNK_SIZE }, io);
      await ZarrGroup.require(store, "", {}, io);
    } else {
      group = await ZarrGroup.open(store, RAT_GROUP, { ...io, readOnly });
    }
    const file = metadataKey(RAT_GROUP);
    let rowCount = readIntAttribute(group.attributes, "ROWCOUNT", file, 0);
    let chunkSize = readIntAttribute(group.attributes, "CHUNKSIZE", file, 1);
    const cache = options.cache ?? new LruChunkCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    if (rowCount === undefined || chunkSize === undefined) {
      // Files from Python ratzarr before 1.0.2: the row count is the first column's length.
      if (rowCount === undefined) {
        const names = options.columns !== undefined ? [...options.columns].sort() : await group.children(io);
        rowCount = names.length === 0 ? 0 : ((await ZarrArray.open(store, `${RAT_GROUP}/${names[0]!}`, { ...io, codecs: runtime.codecs, readOnly: true })).shape[0] ?? 0);
      }
      chunkSize ??= DEFAULT_CHUNK_SIZE;
      if (!readOnly) {
        // Appended after what is there, as Python's attrs[key] = value does.
        const [rows, chunk] = [rowCount, chunkSize];
        await group.updateAttributes((attrs) => ({ ...attrs, ROWCOUNT: attrs["ROWCOUNT"] ?? rows, CHUNKSIZE: attrs["CHUNKSIZE"] ?? chunk }), io);
      }
    }
    return new this(runtime, loc, group, { rowCount: rowCount ?? 0, chunkSize: chunkSize ?? DEFAULT_CHUNK_SIZE }, options, cache);
  }

  /** True when anything exists at exactly `path` (a RAT or not). */
  static async exists(path: string | Store, options: StaticOptions = {}): Promise<boolean> {
    const loc = await this.locate(path, options.runtime ?? this.defaultRuntime(), { readOnly: true, ...locateOptions(options) });
    try {
      return await loc.exists(options);
    } finally {
      loc.close?.();
    }
  }

  /** True when `path` holds a RAT: a root `zarr.json` and a `RAT/zarr.json`, both groups. */
  static async isValidRatZarr(path: string | Store, options: StaticOptions = {}): Promise<boolean> {
    const loc = await this.locate(path, options.runtime ?? this.defaultRuntime(), { readOnly: true, ...locateOptions(options) });
    try {
      return await isValidAt(loc.store, options);
    } finally {
      loc.close?.();
    }
  }

  /** Remove the RAT at `path` and every key under it. Nothing there: returns quietly. Something that is not a RAT: an error, left untouched. */
  static async delete(path: string | Store, options: StaticOptions = {}): Promise<void> {
    const loc = await this.locate(path, options.runtime ?? this.defaultRuntime(), { readOnly: false, ...locateOptions(options) });
    try {
      if (!(await loc.exists(options))) return;
      if (!(await isValidAt(loc.store, options))) throw new NodeError(loc.description, "not a RAT (no zarr.json and RAT/zarr.json); not deleted", { code: "not-a-rat" });
      await loc.removeAll(options);
    } finally {
      loc.close?.();
    }
  }

  private io(): StoreOptions {
    return { signal: this.options.signal };
  }

  private checkOpen(): void {
    if (this.closed) throw new RatZarrError(`RAT "${this.path}": the handle is closed`, { code: "closed" });
  }

  private checkWritable(what: string): void {
    this.checkOpen();
    if (this.readOnly) throw new ReadOnlyError(`RAT "${this.path}": cannot ${what}, the handle is read-only`);
  }

  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    (this.options.onWarning ?? ((m: string) => this.runtime.platform.warn(m)))(message);
  }

  // ---- rows and chunks ----

  /** The number of rows of every column. */
  getRowCount(): number {
    this.checkOpen();
    return this.rowCount;
  }

  /**
   * Set the number of rows, resizing every column (widths kept). Setting the same
   * count writes nothing. Rows that come back after a shrink and a grow read as the
   * fill value (zero, `false`, `""`).
   */
  async setRowCount(rowCount: number): Promise<void> {
    this.checkWritable("set the row count");
    checkCount(rowCount, `RAT "${this.path}": row count`, 0);
    await this.group.refresh(this.io());
    const stored = readIntAttribute(this.group.attributes, "ROWCOUNT", metadataKey(RAT_GROUP), 0);
    // Columns opened before may have changed since; those the listing just fetched are current.
    const opened = new Set(this.columns.keys());
    const names = await this.getColumnNames();
    const columns = await Promise.all(names.map((n) => this.openColumn(n)));
    await Promise.all(names.map((n, i) => (opened.has(n) ? columns[i]!.refresh(this.io()) : undefined)));
    if (stored === rowCount && columns.every((c) => c.shape[0] === rowCount)) return;
    // Columns first, ROWCOUNT last: a crash in between leaves a count that a retry will not skip.
    // A grow rewrites one small zarr.json per column: many at once (a wide RAT on S3); a shrink
    // also rewrites the cut chunk of each column, so fewer.
    const grow = columns.every((c) => (c.shape[0] ?? 0) <= rowCount);
    await mapLimit(columns, grow ? RESIZES_IN_FLIGHT : 4, (c) => c.resize([rowCount, ...c.shape.slice(1)], this.io()));
    await this.group.updateAttributes((attrs) => ({ ...attrs, ROWCOUNT: rowCount }), this.io());
  }

  /** Rows per chunk for columns created from now on (stored as `CHUNKSIZE`; default 500000). */
  getRATChunkSize(): number {
    this.checkOpen();
    return this.chunkSize;
  }

  /** Set the rows per chunk of columns created from now on; existing columns keep theirs. */
  async setChunkSize(chunkSize: number): Promise<void> {
    this.checkWritable("set the chunk size");
    checkCount(chunkSize, `RAT "${this.path}": chunk size`, 1);
    checkChunkSize(`RAT "${this.path}": chunk size ${chunkSize}`, "bool", [chunkSize]);
    await this.group.updateAttributes((attrs) => ({ ...attrs, CHUNKSIZE: chunkSize }), this.io());
  }

  // ---- columns ----

  /**
   * Names of every column, sorted. Found by listing, so columns other handles created are seen;
   * with the `columns` option, those names instead (each checked to be a column). A store that
   * cannot list (an HTTP server without an S3-style listing) and no `columns`: a StoreError saying so.
   */
  async getColumnNames(): Promise<string[]> {
    this.checkOpen();
    const given = this.options.columns;
    if (given === undefined) {
      // Each column's zarr.json is fetched to tell columns from stray folders; keep the documents,
      // so the columns a caller goes on to read are not fetched a second time (a wide RAT on S3).
      const found = await this.group.childMetadata(this.io());
      for (const [name, bytes] of found) this.adoptColumn(name, bytes);
      return [...found.keys()];
    }
    // Names the caller gave (the store cannot list): each must be a column.
    const names = [...new Set(given)].sort();
    await Promise.all(names.map((n) => this.openColumn(n).catch((e: unknown) => {
      if (e instanceof NodeError && e.code === "missing") throw new NodeError(`${RAT_GROUP}/${n}`, `column "${n}" named in the columns option does not exist in RAT "${this.path}" (no ${RAT_GROUP}/${n}/zarr.json)`, { cause: e, code: "missing" });
      throw e;
    })));
    return names;
  }

  /** True when the column exists. */
  async colExists(name: string): Promise<boolean> {
    this.checkOpen();
    if (typeof name !== "string" || nodeNameProblem(name) !== undefined) return false;
    const meta = await readNodeMetadata(this.store, `${RAT_GROUP}/${name}`, this.io(), (codec) => this.runtime.codecs.kind(codec));
    return meta?.nodeType === "array";
  }

  /**
   * Create a column of `dtype` with the current row count and chunk size, and an empty
   * modification log. `width` > 1 makes a 2-d column `[rows, width]`. Its typed handle:
   * `rz.column(name, dtype)`.
   */
  async createColumn(name: string, dtype: ColumnDataType, options: { width?: number } = {}): Promise<void> {
    columnName(name);
    this.checkWritable(`create column "${name}"`);
    const problem = nodeNameProblem(name);
    if (problem !== undefined) throw new RatZarrError(`invalid column name ${showValue(name)}: ${problem}`);
    if (!isDataType(dtype) || (dtype as string) === "float16") throw new RatZarrError(`column "${name}": unknown data type ${showValue(dtype)} (one of bool, int8..int64, uint8..uint64, float32, float64, string)`);
    if (typeof options !== "object" || options === null) throw new RatZarrError(`column "${name}": options must be an object, got ${showValue(options)}`);
    const width = options.width ?? 1;
    if (!Number.isSafeInteger(width) || width < 1) throw new RatZarrError(`column "${name}": width must be a positive integer, got ${showValue(width)}`);
    if (await this.colExists(name)) throw new NodeError(`${RAT_GROUP}/${name}`, `column "${name}" already exists`, { code: "exists" });
    const shape = width === 1 ? [this.rowCount] : [this.rowCount, width];
    const chunkShape = width === 1 ? [this.chunkSize] : [this.chunkSize, width];
    const created = ZarrArray.create(this.store, `${RAT_GROUP}/${name}`, { shape, dataType: dtype, chunkShape, attributes: { MODIFICATIONLOG: [] } }, this.arrayOptions());
    this.columns.set(name, created);
    try {
      await created;
    } catch (e) {
      this.columns.delete(name);
      throw e;
    }
  }

  /**
   * A typed handle on an existing column: `await rz.column("area", "float64")` reads and writes
   * `Float64Array`s. The stored data type must be `dtype` (a `BoundsError`, code "type",
   * naming the column and both types, otherwise); without `dtype`, any type, as stored.
   */
  async column<D extends DataType>(name: string, dtype: D): Promise<RatColumn<D>>;
  async column(name: string): Promise<RatColumn>;
  async column(name: string, dtype?: DataType): Promise<RatColumn> {
    columnName(name);
    if (dtype !== undefined && !isDataType(dtype)) throw new RatZarrError(`column "${name}": unknown data type ${showValue(dtype)} (one of bool, int8..int64, uint8..uint64, float16, float32, float64, string)`);
    const stored = await this.getColumnDtype(name);
    if (dtype !== undefined && stored !== dtype) throw new BoundsError(`column "${name}": asked for data type ${dtype}, but it is stored as ${stored}`, { code: "type" });
    return new RatColumn(this, name, stored, await this.getColumnWidth(name), await this.getColumnChunkSize(name));
  }

  /** Delete the column and every chunk of it. */
  async deleteColumn(name: string): Promise<void> {
    columnName(name);
    this.checkWritable(`delete column "${name}"`);
    if (!(await this.colExists(name))) throw new NodeError(`${RAT_GROUP}/${name}`, `column "${name}" does not exist`, { code: "missing" });
    // Write-behind: what is still being written must not land after the delete.
    const open = this.columns.get(name);
    this.columns.delete(name);
    this.logged.delete(name);
    if (open !== undefined) await (await open.catch(() => undefined))?.flush(this.io()).catch(() => undefined);
    await deleteAll(this.store, `${RAT_GROUP}/${name}`, this.io());
  }

  private arrayOptions() {
    return {
      cache: this.cache,
      concurrency: this.options.concurrency ?? this.store.preferredConcurrency ?? DEFAULT_CONCURRENCY,
      readOnly: this.readOnly,
      readAhead: this.options.readAhead,
      writeBehind: this.readOnly ? 0 : this.options.writeBehind,
      maxDecodedBytes: this.options.maxDecodedBytes,
      codecs: this.runtime.codecs,
      signal: this.options.signal,
    };
  }

  /** Keep a column's metadata, fetched by a listing, as its opened array (when it is one and not open yet). */
  private adoptColumn(name: string, bytes: Uint8Array): void {
    if (this.columns.has(name) || nodeNameProblem(name) !== undefined) return;
    const col = ZarrArray.fromMetadata(this.store, `${RAT_GROUP}/${name}`, bytes, this.arrayOptions());
    this.columns.set(name, col);
    // Not an array (a stray group, a damaged document): forget it; openColumn fetches it again and says why.
    col.catch(() => {
      if (this.columns.get(name) === col) this.columns.delete(name);
    });
  }

  /** The array that holds a column (opened once per handle). A missing column is a `NodeError`. */
  async openColumn(name: string): Promise<ZarrArray> {
    this.checkOpen();
    columnName(name);
    let col = this.columns.get(name);
    if (col === undefined) {
      if (typeof name !== "string" || nodeNameProblem(name) !== undefined) throw new NodeError(`${RAT_GROUP}/${name}`, `column ${showValue(name)} does not exist (invalid name)`, { code: "missing" });
      col = ZarrArray.open(this.store, `${RAT_GROUP}/${name}`, this.arrayOptions()).catch((e: unknown) => {
        this.columns.delete(name);
        if (e instanceof NodeError) throw new NodeError(`${RAT_GROUP}/${name}`, `column "${name}" does not exist in RAT "${this.path}"`, { cause: e, code: "missing" });
        throw e;
      });
      this.columns.set(name, col);
    }
    return col;
  }

  /** The column's data type. */
  async getColumnDtype(name: string): Promise<DataType> {
    return (await this.openColumn(name)).dataType;
  }

  /** Values per row: 1 for a 1-d column. */
  async getColumnWidth(name: string): Promise<number> {
    const col = await this.openColumn(name);
    return col.shape.length > 1 ? col.shape[1]! : 1;
  }

  /** Rows per chunk of this column (set when it was created). */
  async getColumnChunkSize(name: string): Promise<number> {
    return (await this.openColumn(name)).chunkShape[0] ?? 1;
  }

  // ---- data ----

  /**
   * Rows `startRow .. startRow + blockLen` of a column, clipped at its length, as the
   * column's array type (flat row-major for width > 1). Missing chunks read as fill.
   */
  async readBlock<D extends DataType = DataType>(name: string, startRow: number, blockLen: number): Promise<ArrayFor<D>> {
    columnName(name);
    checkCount(startRow, `column "${name}": startRow`, 0);
    checkCount(blockLen, `column "${name}": blockLen`, 0);
    const col = await this.openColumn(name);
    const rows = col.shape[0] ?? 0;
    const start = Math.min(startRow, rows);
    return col.read(start, Math.min(rows, startRow + blockLen), this.io()) as Promise<ArrayFor<D>>;
  }

  /**
   * Write `block` (the column's array type; flat row-major for width > 1) at `startRow`.
   * The first write of each column by this handle appends to its modification log.
   */
  async writeBlock(name: string, block: ArrayFor<DataType>, startRow: number): Promise<void> {
    columnName(name);
    this.checkWritable(`write column "${name}"`);
    checkCount(startRow, `column "${name}": startRow`, 0);
    const col = await this.openColumn(name);
    if (!isArrayOf(col.dataType, block)) {
      // A typed array keeps "a" ("got a Int32Array"): test/rat/columns.test.ts pins that wording.
      const got = ArrayBuffer.isView(block) ? `a ${describeArray(block)}` : withArticle(describeArray(block));
      throw new BoundsError(`column "${name}": data type ${col.dataType} needs ${withArticle(arrayTypeName(col.dataType))}, got ${got}`, { code: "type" });
    }
    const width = col.rowSize;
    // The element types before sizes and warnings: numbers in a string column are the mistake to report.
    const bad = firstNonString(col.dataType, block);
    if (bad >= 0) throw new BoundsError(`column "${name}": a string column needs strings, got a ${typeof (block as unknown[])[bad]} at row ${startRow + Math.floor(bad / width)}; nothing was written`, { code: "type" });
    if (block.length % width !== 0) throw new BoundsError(`column "${name}": block of ${block.length} values is not a whole number of rows of width ${width}`);
    const rows = block.length / width;
    if (startRow + rows > this.rowCount) throw new BoundsError(`column "${name}": block of ${rows} rows at row ${startRow} passes row count ${this.rowCount}`);
    this.warnAlignment(name, col.chunkShape[0] ?? 1, startRow, rows);
    // Checked above, nothing awaited since: the array need not scan the strings again.
    await col.write(startRow, block as never, { ...this.io(), [STRINGS_CHECKED]: true });
    if (!this.logged.has(name)) {
      this.logged.add(name);
      try {
        await this.appendLog(col);
      } catch (e) {
        this.logged.delete(name);
        throw e;
      }
    }
  }

  /**
   * Warn (once per handle and kind) about a block that makes the library read and rewrite a
   * partial chunk. Chunks end at multiples of `chunk` and at the row count (the last, ragged
   * one), so a block ending at the row count is aligned. A column of at most one chunk has
   * nothing to align to: no warning.
   */
  private warnAlignment(name: string, chunk: number, startRow: number, rows: number): void {
    const w = alignmentWarning(name, chunk, this.rowCount, startRow, rows);
    if (w !== undefined) this.warnOnce(w.kind, w.message);
  }

  private async appendLog(col: ZarrArray): Promise<void> {
    const p = this.runtime.platform;
    const event = modificationEvent(new Date(), this.options.provenance?.user ?? p.user(), this.options.provenance?.argv ?? p.argv());
    const file = metadataKey(col.path);
    await col.updateAttributes((attrs) => ({ ...attrs, MODIFICATIONLOG: [...parseModificationLog(attrs["MODIFICATIONLOG"], file), event] as JsonValue }), this.io());
  }

  // ---- provenance and attributes ----

  /** The column's modification log: `[isoTime, user, argv]` per writing session. */
  async getModificationLog(name: string): Promise<ModificationEvent[]> {
    const col = await this.openColumn(name);
    await col.refresh(this.io());
    return parseModificationLog(col.attributes["MODIFICATIONLOG"], metadataKey(col.path));
  }

  /** The column's attributes as a live mapping. */
  async getColumnAttributeMapping(name: string): Promise<AttributeMapping> {
    const col = await this.openColumn(name);
    return new AttributeMapping(col, `column "${name}"`, () => this.checkWritable(`change attributes of column "${name}"`));
  }

  /** The RAT's attributes as a live mapping. */
  async getRatAttributeMapping(): Promise<AttributeMapping> {
    this.checkOpen();
    return new AttributeMapping(this.group, "RAT", () => this.checkWritable("change RAT attributes"));
  }

  // ---- GDAL meaning (attributes documented in gdal-meaning.ts and the README, "GDAL") ----

  /** Set the GDAL usage of a column ("Generic", "PixelCount", "Name", "Min", "Max", "MinMax", "Red", ...). */
  setColumnUsage(name: string, usage: gdal.GdalUsage): Promise<void> {
    return gdal.setColumnUsage(this, name, usage);
  }

  /** The GDAL usage of a column: "Generic" when none is stored. */
  getColumnUsage(name: string): Promise<gdal.GdalUsage> {
    return gdal.getColumnUsage(this, name);
  }

  /** The first column (by name) of a GDAL usage, or undefined. */
  getColumnOfUsage(usage: gdal.GdalUsage): Promise<string | undefined> {
    return gdal.getColumnOfUsage(this, usage);
  }

  /** Set the GDAL table type: "thematic" or "athematic". */
  setTableType(tableType: gdal.GdalTableType): Promise<void> {
    return gdal.setTableType(this, tableType);
  }

  /** The GDAL table type: "thematic" when none is stored. */
  getTableType(): Promise<gdal.GdalTableType> {
    return gdal.getTableType(this);
  }

  /** Set GDAL linear binning: row i holds pixel values from `row0Min + i * binSize`. */
  setLinearBinning(row0Min: number, binSize: number): Promise<void> {
    return gdal.setLinearBinning(this, row0Min, binSize);
  }

  /** The GDAL linear binning, or undefined when there is none. */
  getLinearBinning(): Promise<gdal.LinearBinning | undefined> {
    return gdal.getLinearBinning(this);
  }

  /** The row that applies to a pixel value (linear binning, else Min/Max columns), or -1. */
  getRowOfValue(value: number, options?: gdal.RowOfValueOptions): Promise<number> {
    return gdal.getRowOfValue(this, value, options);
  }

  // ---- lifetime ----

  /**
   * Write-behind: wait until every block written through this handle is in the store; throws
   * the first failure (naming column, chunk and cause). Without write-behind there is nothing to wait for.
   */
  async flush(): Promise<void> {
    this.checkOpen();
    await this.flushColumns();
  }

  private async flushColumns(): Promise<void> {
    const columns = await Promise.all([...this.columns.values()].map((c) => c.catch(() => undefined)));
    const results = await Promise.allSettled(columns.map((c) => c?.flush(this.io())));
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }

  /** Release the handle: wait for write-behind writes (throwing the first failure), drop cached chunks and column handles. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flushColumns();
    } finally {
      this.columns.clear();
      if (this.options.cache === undefined) this.cache.clear();
      this.location.close?.();
    }
  }
}

declare global {
  /**
   * The lib's `AsyncDisposable` (esnext.disposable, or @types/node), merged into; an empty
   * interface where a project's lib has none (`lib: ["es2022", "dom"]`), so that the
   * published types compile there too.
   */
  interface AsyncDisposable {}
}

/** `await using rz = await RatZarr.open(...)`, where the lib and the runtime have `Symbol.asyncDispose`. */
export interface RatZarr extends AsyncDisposable {}

// Defined here rather than as a class member: a member named [Symbol.asyncDispose] in the
// .d.ts fails to compile in projects whose lib lacks that symbol. Runtimes without it get none.
if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(RatZarr.prototype, Symbol.asyncDispose, {
    value: async function asyncDispose(this: RatZarr): Promise<void> {
      await this.close();
    },
    writable: true,
    configurable: true,
  });
}

/** Valid, or a root group whose RAT group another process is writing right now (give it a moment). */
