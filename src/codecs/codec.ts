/**
 * The codec interfaces of the Zarr v3 codec pipeline (spec: "Codecs").
 * A pipeline is zero or more array→array codecs, exactly one array→bytes
 * codec, then zero or more bytes→bytes codecs.
 */
import type { ChunkData, DataType, FillValue } from "../data-types.js";
import type { ScratchLease } from "./scratch.js";

/** JSON values as they appear in `zarr.json`; integers beyond 2^53 are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** True when `v` is a JSON object: not null, not an array. */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What a codec sees of one chunk: its shape (C order), data type and fill value. */
export interface ChunkSpec {
  readonly shape: readonly number[];
  readonly dataType: DataType;
  readonly fillValue: FillValue;
}

/**
 * How the codec work of one chunk may be scheduled (what zarrita calls a queue hint), set by
 * the array engine.
 */
export interface Schedule {
  /** Nobody waits on this chunk alone (read-ahead, write-behind, one of several chunks of a block): the work may go to another thread. */
  readonly offload?: boolean | undefined;
  /**
   * The chunk being encoded is a copy of the engine's own that nothing reads afterwards: its
   * buffer may be transferred to another thread instead of copied. Never passed on to inner
   * pipelines (sharding).
   */
  readonly detachable?: boolean | undefined;
  /**
   * The bytes to compress split well among several compressor threads (strings, set by the
   * pipeline from `ArrayToBytesCodec.splits`): a backend may use libzstd's own threads for one
   * large chunk. Numbers that repeat at long distances lose ratio and time that way.
   */
  readonly splits?: boolean | undefined;
}

/** Per-call context: the chunk key (for error messages), an optional abort signal and the schedule. */
export interface CodecContext {
  readonly key: string;
  readonly signal?: AbortSignal | undefined;
  /** Set by the pipeline when the encoded bytes only feed the next codec (never stored as they are), so an encoder may return a view of its input. */
  readonly transient?: boolean | undefined;
  readonly schedule?: Schedule | undefined;
  /**
   * Set by the pipeline where the bytes a codec returns are read once by the next codec and
   * then dropped (`vlen-utf8`'s encoded bytes, a decompressor's output that `vlen-utf8` makes
   * strings of): the codec may write them into a buffer lent from here (scratch.ts) instead of
   * a new one. Also lent to that next codec, for temporary bytes of its own; to a compressor
   * it is the lease of its input, which it may release early once it no longer reads it
   * (`CompressOptions.lease`).
   */
  readonly scratch?: ScratchLease | undefined;
}

/** array→array codec (for example `transpose`). `spec` is always the decoded side. */
export interface ArrayToArrayCodec {
  readonly kind: "array_to_array";
  readonly name: string;
  /** The spec of the encoded side, given the decoded side. */
  encodedSpec(spec: ChunkSpec): ChunkSpec;
  encode(data: ChunkData, spec: ChunkSpec, ctx: CodecContext): ChunkData | Promise<ChunkData>;
  decode(data: ChunkData, spec: ChunkSpec, ctx: CodecContext): ChunkData | Promise<ChunkData>;
}

/** array→bytes codec (`bytes`, `vlen-utf8`, `sharding_indexed`). `spec` is the array side. */
export interface ArrayToBytesCodec {
  readonly kind: "array_to_bytes";
  readonly name: string;
  /** True when `decode` honours `neededElements` (`vlen-utf8`). */
  readonly decodesPrefix?: boolean | undefined;
  /**
   * True when `decode` never returns a view of its input (`vlen-utf8` makes strings), so the
   * bytes it is given may be a lent scratch buffer, reused once it returns.
   */
  readonly consumesBytes?: boolean | undefined;
  /** True when the bytes `encode` makes may be compressed in parallel pieces at no loss (`vlen-utf8`: measured; see `Schedule.splits`). */
  readonly splits?: boolean | undefined;
  /** Encoded byte length when it is fixed by the spec (`bytes`), else undefined. */
  encodedSize(spec: ChunkSpec): number | undefined;
  encode(data: ChunkData, spec: ChunkSpec, ctx: CodecContext): Uint8Array | Promise<Uint8Array>;
  /**
   * Decode a chunk of `spec`. `neededElements` (only to a codec that `decodesPrefix`): return
   * only that many leading elements (the rows of an edge chunk inside the array).
   */
  decode(bytes: Uint8Array, spec: ChunkSpec, ctx: CodecContext & { readonly neededElements?: number | undefined }): ChunkData | Promise<ChunkData>;
}

/** bytes→bytes codec (`gzip`, `zstd`, `blosc`, `crc32c`). */
export interface BytesToBytesCodec {
  readonly kind: "bytes_to_bytes";
  readonly name: string;
  /** Encoded length given the decoded length, when it is fixed (`crc32c`: n + 4), else undefined. */
  encodedSize(decodedSize: number | undefined): number | undefined;
  encode(bytes: Uint8Array, ctx: CodecContext): Uint8Array | Promise<Uint8Array>;
  /** True when `decode` honours `neededBytes`: it then returns only that many leading bytes. */
  readonly decodesPrefix?: boolean | undefined;
  /**
   * Decode `bytes`. `decodedSize` is the exact decoded length when the
   * pipeline knows it; `maxDecodedSize` is the bound a decoder must never
   * allocate past (a frame announcing more is an error, not an allocation).
   * `neededBytes` (only to a codec that `decodesPrefix`): return only that many leading bytes
   * (the rows of an edge chunk inside the array), decoding no further where it can.
   */
  decode(bytes: Uint8Array, ctx: CodecContext & { readonly decodedSize: number | undefined; readonly maxDecodedSize: number; readonly neededBytes?: number | undefined }): Uint8Array | Promise<Uint8Array>;
}

export type Codec = ArrayToArrayCodec | ArrayToBytesCodec | BytesToBytesCodec;
export type CodecKind = Codec["kind"];

/** A codec as named in `zarr.json`: `{"name": ..., "configuration": {...}}` (configuration may be absent). */
export interface CodecMetadata {
  readonly name: string;
  readonly configuration?: JsonObject;
}
