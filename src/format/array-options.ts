/**
 * What an array handle takes: its I/O options with their defaults, and what
 * a new array is made of (zarr-python's defaults for everything not given).
 */
import type { StoreOptions } from "../stores/store.js";
import type { CodecMetadata, JsonObject } from "../codecs/codec.js";
import type { CodecRegistry } from "../codecs/registry.js";
import type { DataType, FillValue } from "../data-types.js";
import type { ChunkCache } from "./chunk-cache.js";
import type { ChunkKeyEncoding } from "./metadata.js";

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
/** How an array handle does its I/O. */
export interface ArrayOptions extends StoreOptions {
  /** Decoded-chunk cache; share one across the arrays of a handle. Default: a new 256 MiB LRU cache. */
  readonly cache?: ChunkCache | undefined;
  /** Chunks read or written at once. Default 4. */
  readonly concurrency?: number | undefined;
  /** Bound on the decoded size of a chunk whose size the metadata does not fix (strings). */
  readonly maxDecodedBytes?: number | undefined;
  /** Where codecs (and the libzstd) come from. Default: the entry point's (WASM zstd in the core, native on Node). */
  readonly codecs?: CodecRegistry | undefined;
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

/** The fill value zarr-python gives a new array of `dataType`: 0, 0.0, false or "". */
export function defaultFillValue(dataType: DataType): FillValue {
  if (dataType === "string") return "";
  if (dataType === "bool") return false;
  if (dataType === "int64" || dataType === "uint64") return 0n;
  return 0;
}
