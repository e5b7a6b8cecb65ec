/**
 * The `sharding_indexed` array→bytes codec (spec: codecs/sharding-indexed
 * v1.0): a shard is a grid of inner chunks, each encoded with the inner
 * codecs and stored anywhere in the shard, plus an index of
 * `(offset, nbytes)` uint64 pairs in C order, at the end or the start. A pair
 * of two 2^64-1 marks an inner chunk that is all fill value and not stored.
 */
import type { ArrayToBytesCodec, ChunkSpec, CodecContext, CodecMetadata, JsonObject } from "./codec.js";
import type { ChunkData } from "../data-types.js";
import { allocate } from "../data-types.js";
import { CodecError, MetadataError, showValue } from "../errors.js";
import { copyBox, elementCount, isAllFill, unravel } from "../grid.js";
import { parseCodecList } from "./codec-list.js";
import { CodecPipeline } from "./pipeline.js";
import { type CodecEnv, standardCodecs } from "./registry.js";

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
export async function createShardingCodec(configuration: JsonObject, file: string, env: CodecEnv = standardCodecs()): Promise<ArrayToBytesCodec> {
  const bad = (message: string): never => {
    throw new MetadataError(file, "codecs", `sharding_indexed codec: ${message}`);
  };
  const chunkShapeValue = configuration["chunk_shape"];
  if (!Array.isArray(chunkShapeValue) || !chunkShapeValue.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0)) {
    bad(`"chunk_shape" must be an array of positive integers, got ${showValue(chunkShapeValue)}`);
  }
  const chunkShape = chunkShapeValue as number[];
  const codecs = configuration["codecs"] === undefined ? DEFAULT_CODECS : parseCodecList(configuration["codecs"], "codecs", bad);
  const indexCodecs = configuration["index_codecs"] === undefined ? DEFAULT_INDEX_CODECS : parseCodecList(configuration["index_codecs"], "index_codecs", bad);
  const location = configuration["index_location"] ?? "end";
  if (location !== "start" && location !== "end") bad(`"index_location" must be "start" or "end", got ${showValue(location)}`);
  const indexAtStart = location === "start";
  /** An inner chunk's own origin, where a copy to or from the shard starts in it. */
  const chunkOrigin = chunkShape.map(() => 0);
  /** Where inner chunk number `c` of a shard with `grid` inner chunks starts in the shard, per dimension. */
  const shardStart = (c: number, grid: readonly number[]): number[] => unravel(c, grid).map((p, d) => p * chunkShape[d]!);
  // Unknown names and bad configurations fail here, when the array is opened.
  await Promise.all([...codecs, ...indexCodecs].map((c) => env.registry.create(c.name, c.configuration ?? {}, file)));

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
    const chunkCount = elementCount(grid);
    const [inner, index] = await Promise.all([
      CodecPipeline.create(codecs, { shape: chunkShape, dataType: spec.dataType, fillValue: spec.fillValue }, file, { codecs: env.registry }),
      CodecPipeline.create(indexCodecs, { shape: [...grid, 2], dataType: "uint64", fillValue: 0n }, file, { codecs: env.registry }),
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
      const out = allocate(spec.dataType, elementCount(spec.shape), spec.fillValue);
      const dataStart = BigInt(indexAtStart ? layout.indexSize : 0);
      const dataEnd = BigInt(indexAtStart ? n : n - layout.indexSize);
      for (let c = 0; c < layout.chunkCount; c++) {
        const offset = index[2 * c]!;
        const size = index[2 * c + 1]!;
        if (offset === EMPTY && size === EMPTY) continue;
        const where = () => `inner chunk [${unravel(c, layout.grid).join(", ")}]`;
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
        copyBox(chunk, chunkShape, chunkOrigin, out, spec.shape, shardStart(c, layout.grid), chunkShape);
      }
      return out;
    },

    async encode(data: ChunkData, spec: ChunkSpec, ctx: CodecContext): Promise<Uint8Array> {
      const layout = await layoutFor(spec);
      const count = elementCount(spec.shape);
      if (data.length !== count) {
        throw new CodecError(NAME, ctx.key, `shard array has ${data.length} elements, expected ${count} (shape [${spec.shape.join(", ")}])`);
      }
      const innerCount = elementCount(chunkShape);
      const index = new BigUint64Array(2 * layout.chunkCount).fill(EMPTY);
      const pieces: Uint8Array[] = [];
      let offset = indexAtStart ? layout.indexSize : 0;
      for (let c = 0; c < layout.chunkCount; c++) {
        ctx.signal?.throwIfAborted();
        const chunk = allocate(spec.dataType, innerCount);
        copyBox(data, spec.shape, shardStart(c, layout.grid), chunk, chunkShape, chunkOrigin, chunkShape);
        // Like zarr-python: an inner chunk that is all fill value is not stored.
        if (isAllFill(chunk, spec.dataType, spec.fillValue)) continue;
        const encoded = await layout.inner.encode(chunk, { key: ctx.key, signal: ctx.signal, schedule: { offload: ctx.schedule?.offload } });
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
