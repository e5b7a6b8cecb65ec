/**
 * The `sharding_indexed` array→bytes codec (spec: codecs/sharding-indexed
 * v1.0): a shard is a grid of inner chunks, each encoded with the inner
 * codecs and stored anywhere in the shard, plus an index of
 * `(offset, nbytes)` uint64 pairs in C order, at the end or the start. A pair
 * of two 2^64-1 marks an inner chunk that is all fill value and not stored.
 */
import type { ArrayToBytesCodec, ChunkSpec, CodecContext, CodecMetadata, JsonObject, JsonValue } from "./codec.js";
import type { ChunkData, DataType, FillValue } from "../data-types.js";
import { allocate, fillElement } from "../data-types.js";
import { CodecError, MetadataError, showValue } from "../errors.js";
import { CodecPipeline } from "./pipeline.js";
import { createCodec } from "./registry.js";

const NAME = "sharding_indexed";
/** Spec: offset and nbytes both 2^64-1 mark an empty inner chunk. */
const EMPTY = 0xffff_ffff_ffff_ffffn;
/** zarr-python's defaults for absent `codecs` and `index_codecs`. */
const DEFAULT_CODECS: readonly CodecMetadata[] = [{ name: "bytes", configuration: { endian: "little" } }];
const DEFAULT_INDEX_CODECS: readonly CodecMetadata[] = [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }];

/** The inner and index pipelines for one shard shape and data type. */
interface ShardLayout {
  readonly inner: CodecPipeline;
  readonly index: CodecPipeline;
  /** Inner chunks per shard along each dimension. */
  readonly grid: readonly number[];
  readonly chunkCount: number;
  readonly indexSize: number;
}

/**
 * Make a `sharding_indexed` codec from `{"chunk_shape", "codecs",
 * "index_codecs", "index_location"}`. Inner and index codecs are checked now;
 * their pipelines are built on first use, when the shard shape is known.
 */
export async function createShardingCodec(configuration: JsonObject, file: string): Promise<ArrayToBytesCodec> {
  const bad = (message: string): never => {
    throw new MetadataError(file, "codecs", `sharding_indexed codec: ${message}`);
  };
  const chunkShapeValue = configuration["chunk_shape"];
  if (!Array.isArray(chunkShapeValue) || !chunkShapeValue.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0)) {
    bad(`"chunk_shape" must be an array of positive integers, got ${showValue(chunkShapeValue)}`);
  }
  const chunkShape = chunkShapeValue as number[];
  const codecs = parseCodecList(configuration["codecs"], "codecs", DEFAULT_CODECS, bad);
  const indexCodecs = parseCodecList(configuration["index_codecs"], "index_codecs", DEFAULT_INDEX_CODECS, bad);
  const location = configuration["index_location"] ?? "end";
  if (location !== "start" && location !== "end") bad(`"index_location" must be "start" or "end", got ${showValue(location)}`);
  const indexAtStart = location === "start";
  // Unknown names and bad configurations fail here, when the array is opened.
  await Promise.all([...codecs, ...indexCodecs].map((c) => createCodec(c.name, c.configuration ?? {}, file)));

  const layouts = new Map<string, Promise<ShardLayout>>();
  function layoutFor(spec: ChunkSpec): Promise<ShardLayout> {
    const cacheKey = `${spec.shape.join(",")}|${spec.dataType}`;
    let p = layouts.get(cacheKey);
    if (p === undefined) {
      p = makeLayout(spec);
      layouts.set(cacheKey, p);
      p.catch(() => layouts.delete(cacheKey));
    }
    return p;
  }

  async function makeLayout(spec: ChunkSpec): Promise<ShardLayout> {
    const shape = spec.shape;
    if (shape.length !== chunkShape.length || shape.some((d, i) => d % chunkShape[i]! !== 0)) {
      bad(`shard shape [${shape.join(", ")}] is not a whole number of inner chunks of shape [${chunkShape.join(", ")}]`);
    }
    const grid = shape.map((d, i) => d / chunkShape[i]!);
    const chunkCount = grid.reduce((a, b) => a * b, 1);
    const [inner, index] = await Promise.all([
      CodecPipeline.create(codecs, { shape: chunkShape, dataType: spec.dataType, fillValue: spec.fillValue }, file),
      CodecPipeline.create(indexCodecs, { shape: [...grid, 2], dataType: "uint64", fillValue: 0n }, file),
    ]);
    const indexSize = index.fixedEncodedSize;
    if (indexSize === undefined) bad(`"index_codecs" must have a fixed encoded size (for example bytes and crc32c, no compression)`);
    return { inner, index, grid, chunkCount, indexSize: indexSize! };
  }

  return {
    kind: "array_to_bytes",
    name: NAME,
    encodedSize: () => undefined,

    async decode(bytes: Uint8Array, spec: ChunkSpec, ctx: CodecContext): Promise<ChunkData> {
      const layout = await layoutFor(spec);
      const n = bytes.byteLength;
      if (n < layout.indexSize) {
        throw new CodecError(NAME, ctx.key, `truncated: shard has ${n} bytes, its index of ${layout.chunkCount} inner chunks alone needs ${layout.indexSize}`);
      }
      const indexBytes = indexAtStart ? bytes.subarray(0, layout.indexSize) : bytes.subarray(n - layout.indexSize);
      const index = await layout.index.decode(indexBytes, { key: ctx.key, signal: ctx.signal });
      if (!(index instanceof BigUint64Array) || index.length !== 2 * layout.chunkCount) {
        throw new CodecError(NAME, ctx.key, `shard index decoded to ${index.length} values, expected ${2 * layout.chunkCount} uint64`);
      }
      let count = 1;
      for (const d of spec.shape) count *= d;
      const out = allocate(spec.dataType, count, spec.fillValue);
      const dataStart = BigInt(indexAtStart ? layout.indexSize : 0);
      const dataEnd = BigInt(indexAtStart ? n : n - layout.indexSize);
      for (let c = 0; c < layout.chunkCount; c++) {
        const offset = index[2 * c]!;
        const size = index[2 * c + 1]!;
        if (offset === EMPTY && size === EMPTY) continue;
        const where = () => `inner chunk [${gridPosition(c, layout.grid).join(", ")}]`;
        // Inner chunks live between the index and the other end of the shard, never over the index.
        if (offset === EMPTY || size === EMPTY || offset < dataStart || offset + size > dataEnd) {
          throw new CodecError(NAME, ctx.key, `${where()} at offset ${offset} with ${size} bytes lies outside the chunk data (bytes ${dataStart}..${dataEnd} of a ${n}-byte shard)`);
        }
        ctx.signal?.throwIfAborted();
        let chunk: ChunkData;
        try {
          chunk = await layout.inner.decode(bytes.subarray(Number(offset), Number(offset + size)), { key: ctx.key, signal: ctx.signal });
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
          throw new CodecError(NAME, ctx.key, `${where()} at offset ${offset} (${size} bytes): ${e.message}`, { cause: e });
        }
        copyBlock(chunk, out, spec.shape, chunkShape, gridPosition(c, layout.grid), false);
      }
      return out;
    },

    async encode(data: ChunkData, spec: ChunkSpec, ctx: CodecContext): Promise<Uint8Array> {
      const layout = await layoutFor(spec);
      let count = 1;
      for (const d of spec.shape) count *= d;
      if (data.length !== count) {
        throw new CodecError(NAME, ctx.key, `shard array has ${data.length} elements, expected ${count} (shape [${spec.shape.join(", ")}])`);
      }
      let innerCount = 1;
      for (const d of chunkShape) innerCount *= d;
      const index = new BigUint64Array(2 * layout.chunkCount).fill(EMPTY);
      const pieces: Uint8Array[] = [];
      let offset = indexAtStart ? layout.indexSize : 0;
      for (let c = 0; c < layout.chunkCount; c++) {
        ctx.signal?.throwIfAborted();
        const chunk = allocate(spec.dataType, innerCount);
        copyBlock(data, chunk, spec.shape, chunkShape, gridPosition(c, layout.grid), true);
        // Like zarr-python: an inner chunk that is all fill value is not stored.
        if (isAllFill(chunk, spec.dataType, spec.fillValue)) continue;
        const encoded = await layout.inner.encode(chunk, { key: ctx.key, signal: ctx.signal, offload: ctx.offload });
        index[2 * c] = BigInt(offset);
        index[2 * c + 1] = BigInt(encoded.length);
        pieces.push(encoded);
        offset += encoded.length;
      }
      const indexBytes = await layout.index.encode(index, { key: ctx.key, signal: ctx.signal });
      const out = new Uint8Array(offset + (indexAtStart ? 0 : indexBytes.length));
      let p = 0;
      if (indexAtStart) {
        out.set(indexBytes);
        p = indexBytes.length;
      }
      for (const piece of pieces) {
        out.set(piece, p);
        p += piece.length;
      }
      if (!indexAtStart) out.set(indexBytes, p);
      return out;
    },
  };
}

/** A codec list from the configuration: absent → `fallback`; entries are `{"name", "configuration"}` or a bare name. */
function parseCodecList(value: JsonValue | undefined, field: string, fallback: readonly CodecMetadata[], bad: (m: string) => never): readonly CodecMetadata[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) return bad(`"${field}" must be an array of codecs`);
  return value.map((c, i): CodecMetadata => {
    if (typeof c === "string") return { name: c };
    if (typeof c !== "object" || c === null || Array.isArray(c) || typeof c["name"] !== "string") {
      return bad(`"${field}"[${i}] must be an object with a "name"`);
    }
    const configuration = c["configuration"];
    if (configuration === undefined) return { name: c["name"] };
    if (typeof configuration !== "object" || configuration === null || Array.isArray(configuration) || typeof configuration === "bigint") {
      return bad(`"${field}"[${i}].configuration must be an object`);
    }
    return { name: c["name"], configuration };
  });
}

/** The grid position (C order) of inner chunk number `c`. */
function gridPosition(c: number, grid: readonly number[]): number[] {
  const pos = new Array<number>(grid.length);
  for (let d = grid.length - 1; d >= 0; d--) {
    pos[d] = c % grid[d]!;
    c = Math.floor(c / grid[d]!);
  }
  return pos;
}

/** The two typed-array methods a row copy needs, common to every typed array. */
type Rows = { set(array: ArrayLike<unknown>, offset: number): void; subarray(begin: number, end: number): ArrayLike<unknown> };

/**
 * Copy the inner chunk at grid position `at` between a shard array of
 * `shape` and a block array of `block` shape (both C order): shard → block
 * when `toBlock`, else block → shard. Copies whole rows along the last axis.
 */
function copyBlock(src: ChunkData, dst: ChunkData, shape: readonly number[], block: readonly number[], at: readonly number[], toBlock: boolean): void {
  const rank = shape.length;
  if (rank === 0) {
    (dst as unknown[])[0] = (src as unknown[])[0];
    return;
  }
  const strides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= block[d]!;
  const rowLength = block[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let shardOffset = 0;
  for (let d = 0; d < rank; d++) shardOffset += at[d]! * block[d]! * strides[d]!;
  const typed = !Array.isArray(src);
  for (let r = 0, blockOffset = 0; r < rows; r++, blockOffset += rowLength) {
    const from = toBlock ? shardOffset : blockOffset;
    const to = toBlock ? blockOffset : shardOffset;
    if (typed) (dst as unknown as Rows).set((src as unknown as Rows).subarray(from, from + rowLength), to);
    else for (let j = 0; j < rowLength; j++) (dst as string[])[to + j] = (src as string[])[from + j]!;
    // Next row: odometer over all but the last axis, moving the shard offset by its strides.
    for (let d = rank - 2; d >= 0; d--) {
      shardOffset += strides[d]!;
      if (++index[d]! < block[d]!) break;
      shardOffset -= strides[d]! * block[d]!;
      index[d] = 0;
    }
  }
}

/** True when every element of `chunk` equals the fill value (NaN matches NaN; -0 does not match 0, per FORMAT.md). */
function isAllFill(chunk: ChunkData, dataType: DataType, fill: FillValue): boolean {
  let v = fillElement(dataType, fill);
  if (Array.isArray(chunk)) return chunk.every((x) => x === v);
  // Float32 arrays hold the fill value rounded to single precision.
  if ((dataType === "float32" || dataType === "float16") && typeof v === "number") v = Math.fround(v);
  const a = chunk as unknown as ArrayLike<number | bigint>;
  const n = a.length;
  if (typeof v === "number" && Number.isNaN(v)) {
    for (let i = 0; i < n; i++) if (a[i] === a[i]) return false;
    return true;
  }
  if (v === 0) {
    const negative = Object.is(v, -0);
    for (let i = 0; i < n; i++) if (a[i] !== 0 || Object.is(a[i], -0) !== negative) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (a[i] !== v) return false;
  return true;
}
