/**
 * The options of `RatZarr.open` and of the static methods, in one place with
 * their documentation; numeric ones are checked by src/format/limits.ts.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import type { DataType } from "../data-types.js";
import type { Runtime } from "./runtime.js";
import type { S3PathOptions } from "../stores/s3-options.js";
import type { ChunkCache } from "../format/chunk-cache.js";

/** Data types a column can be created with (every Zarr type ratzarr writes). */
export type ColumnDataType = Exclude<DataType, "float16">;

export interface RatZarrOptions {
  /** Refuse every change (default false). */
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
}

/** Options of the static methods: a signal, and S3 options for s3:// paths. */
export interface StaticOptions extends StoreOptions {
  readonly s3?: S3PathOptions;
  readonly runtime?: Runtime;
}

export const locateOptions = (o: StaticOptions): { s3?: S3PathOptions; runtime?: Runtime } => ({ ...(o.s3 === undefined ? {} : { s3: o.s3 }), ...(o.runtime === undefined ? {} : { runtime: o.runtime }) });

