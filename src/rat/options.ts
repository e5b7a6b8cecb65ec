/**
 * The options of `RatZarr.open` and of the static methods, in one place with
 * their documentation; numeric ones are checked by src/format/limits.ts.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import type { DataType } from "../data-types.js";
import type { Runtime } from "./runtime.js";
import type { S3PathOptions } from "../stores/s3-options.js";
import type { ChunkCache } from "../format/chunk-cache.js";
import type { HttpStoreOptions } from "../stores/http.js";
import { RatZarrError, ReadOnlyError, showValue } from "../errors.js";
import { nodeNameProblem } from "../format/names.js";
import { isHttpUrl } from "./location.js";

/** Data types a column can be created with (every Zarr type ratzarr writes). */
export type ColumnDataType = Exclude<DataType, "float16">;

export interface RatZarrOptions {
  /** Refuse every change (default false; for `http(s)://` URLs, which are always read-only, true). */
  readonly readOnly?: boolean;
  /** Create the RAT when nothing is at the path (default true). */
  readonly create?: boolean;
  /** Use this store instead of resolving the path (the path is then only a label). */
  readonly store?: Store;
  /** Byte budget of the decoded-chunk cache shared by the handle's columns (default 256 MiB). */
  readonly cacheBytes?: number;
  /** Bring your own cache (overrides `cacheBytes`). */
  readonly cache?: ChunkCache;
  /** Chunks read or written at once per call (default 4). */
  readonly concurrency?: number;
  /**
   * Write-behind (default 0: off). `writeBlock` resolves once the block is copied, while at most
   * this many chunk writes go on in the background (on Node, compressed on worker threads), so
   * the next block is computed while this one is written. Partially written chunks stay in
   * memory until their last rows arrive. `flush()` (and `close()`) wait for everything and
   * throw the first failure; a failure also fails the next `writeBlock` or `readBlock` of that
   * column. Until then a crash loses what was not stored: call `flush()` at checkpoints.
   */
  readonly writeBehind?: number;
  /** Chunks fetched and decoded ahead of a reader going through a column in order (default 2; 0: off). */
  readonly readAhead?: number;
  /** Where warnings go (default: Node's `emitWarning` on Node, `console.warn` elsewhere). */
  readonly onWarning?: (message: string) => void;
  /** What the modification log records; each field overrides the platform's (on Node: the OS user and the command line). Pass `{ argv: [] }` to keep a command line with secrets out of the file. */
  readonly provenance?: { readonly user?: string; readonly argv?: readonly string[] };
  /** Bound on any decoded chunk whose size the metadata does not fix (strings). */
  readonly maxDecodedBytes?: number;
  readonly signal?: AbortSignal;
  /** The runtime (platform: local paths, user, warnings). Default: the entry point's (`webRuntime` in the core, `nodeRuntime()` on Node). */
  readonly runtime?: Runtime;
  /**
   * For `s3://` paths: options of the S3 store (`client` or `clientConfig` for credentials,
   * region and endpoint, `retry`, `concurrency`, `unsafeConcurrentWrites`); see "ratzarr/s3".
   */
  readonly s3?: S3PathOptions;
  /**
   * For `http://` and `https://` URLs: options of the HTTP store (`fetch` to add headers or sign
   * requests, `headers`, `retry`, `timeoutMs`, `concurrency`, `listUrl`); see `HttpStore`. Such a
   * URL always opens read-only, whether or not `readOnly` is given (`readOnly: false` is an error).
   */
  readonly http?: HttpStoreOptions;
  /**
   * Column names given by the caller, for stores that cannot list (an HTTP server without an
   * S3-style listing): `getColumnNames()` returns them, sorted, instead of listing, after
   * checking that each has a `RAT/<name>/zarr.json` array. Read-only handles only (a writable
   * handle must see every column, to resize them all).
   */
  readonly columns?: readonly string[];
}

/** Options of the static methods: a signal, S3 options for s3:// paths, HTTP options for http(s):// URLs. */
export interface StaticOptions extends StoreOptions {
  readonly s3?: S3PathOptions;
  readonly http?: HttpStoreOptions;
  readonly runtime?: Runtime;
}

export const locateOptions = (o: StaticOptions): { s3?: S3PathOptions; http?: HttpStoreOptions; runtime?: Runtime } => ({
  ...(o.s3 === undefined ? {} : { s3: o.s3 }),
  ...(o.http === undefined ? {} : { http: o.http }),
  ...(o.runtime === undefined ? {} : { runtime: o.runtime }),
});

/**
 * The options `RatZarr.open` works with for `path`: an `http(s)://` URL read-only (refusing
 * `readOnly: false`), and `columns` checked (strings, valid names, read-only handles only).
 */
export function settleOpenOptions(path: string | Store, options: RatZarrOptions): RatZarrOptions {
  let settled = options;
  if (options.store === undefined && isHttpUrl(path)) {
    if (options.readOnly === false) throw new ReadOnlyError(`"${path}": an http(s):// URL opens read-only only (readOnly: false was given)`);
    settled = { ...options, readOnly: true };
  }
  const columns: unknown = settled.columns;
  if (columns === undefined) return settled;
  if (!Array.isArray(columns)) throw new RatZarrError(`the columns option must be an array of column names, got ${showValue(columns)}`);
  for (const name of columns) {
    if (typeof name !== "string") throw new RatZarrError(`the columns option must hold column names (strings), got ${showValue(name)}`);
    const problem = nodeNameProblem(name);
    if (problem !== undefined) throw new RatZarrError(`the columns option: invalid column name ${showValue(name)}: ${problem}`);
  }
  if (settled.readOnly !== true) throw new RatZarrError("the columns option is for read-only handles (a writable handle lists its columns, to see every one); pass readOnly: true");
  return settled;
}

