/**
 * The `transpose` array→array codec (spec: codecs/transpose v1.0): permutes
 * the dimensions of a chunk. Encoded shape `B_shape[i] = A_shape[order[i]]`
 * and `B[B_pos] = A[A_pos]` where `B_pos[i] = A_pos[order[i]]`, so encoded
 * axis i is decoded axis `order[i]`.
 */
import { elementCount, strides } from "../grid.js";
import type { ArrayToArrayCodec, ChunkSpec, CodecContext, JsonObject } from "./codec.js";
import type { ChunkData } from "../data-types.js";
import { allocate } from "../data-types.js";
import { CodecError, MetadataError, showValue } from "../errors.js";

const NAME = "transpose";

/** Make a `transpose` codec; `{"order": [permutation of 0..n-1]}`, or the legacy strings `"C"` (identity) and `"F"` (reversed). */
export function createTransposeCodec(configuration: JsonObject, file: string): ArrayToArrayCodec {
  const order = parseOrder(configuration["order"], file);

  /** The permutation for a chunk of rank `rank`; checks that an explicit order has that rank. */
  function orderFor(rank: number): readonly number[] {
    if (order === "C") return Array.from({ length: rank }, (_, i) => i);
    if (order === "F") return Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (order.length !== rank) {
      throw new MetadataError(file, "codecs", `transpose codec: "order" [${order.join(", ")}] has ${order.length} entries but chunks have ${rank} dimensions`);
    }
    return order;
  }

  /** Move `data` between the decoded layout (`spec.shape`) and the encoded one. */
  function run(data: ChunkData, spec: ChunkSpec, ctx: CodecContext, encoding: boolean): ChunkData {
    const shape = spec.shape;
    const perm = orderFor(shape.length);
    const count = elementCount(shape);
    if (data.length !== count) {
      throw new CodecError(NAME, ctx.key, `chunk array has ${data.length} elements, expected ${count} (shape [${shape.join(", ")}])`);
    }
    if (perm.every((p, i) => p === i)) return data;
    // C-order strides of the decoded array, then visit the encoded array in C order.
    const decodedStrides = strides(shape);
    const encodedShape = perm.map((p) => shape[p]!);
    const encodedStrides = perm.map((p) => decodedStrides[p]!);
    const out = allocate(spec.dataType, count);
    walk(data as unknown as Indexable, out as unknown as Indexable, encodedShape, encodedStrides, encoding);
    return out;
  }

  return {
    kind: "array_to_array",
    name: NAME,
    encodedSpec(spec: ChunkSpec): ChunkSpec {
      const perm = orderFor(spec.shape.length);
      return { ...spec, shape: perm.map((p) => spec.shape[p]!) };
    },
    encode: (data, spec, ctx) => run(data, spec, ctx, true),
    decode: (data, spec, ctx) => run(data, spec, ctx, false),
  };
}

type Indexable = { [index: number]: unknown };

/**
 * Visit every position of the encoded array in C order together with the
 * decoded offset it maps to; `gather` copies decoded→encoded, else the reverse.
 */
function walk(src: Indexable, dst: Indexable, shape: readonly number[], strides: readonly number[], gather: boolean): void {
  const rank = shape.length;
  const count = elementCount(shape);
  if (count === 0) return;
  const inner = shape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let base = 0;
  for (let k = 0; k < count; k += inner) {
    if (gather) for (let j = 0, o = base; j < inner; j++, o += innerStride) dst[k + j] = src[o];
    else for (let j = 0, o = base; j < inner; j++, o += innerStride) dst[o] = src[k + j];
    // Odometer over the outer dimensions, keeping `base` as the decoded offset: updated in
    // place rather than recomputed per row (grid.ts forEachIndex would), this is the hot loop.
    for (let d = rank - 2; d >= 0; d--) {
      base += strides[d]!;
      if (++index[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

function parseOrder(value: unknown, file: string): readonly number[] | "C" | "F" {
  if (value === "C" || value === "F") return value;
  if (!Array.isArray(value)) {
    throw new MetadataError(file, "codecs", `transpose codec: "order" must be a permutation array (or "C"/"F"), got ${showValue(value)}`);
  }
  const seen = new Set<number>();
  for (const v of value) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= value.length || seen.has(v)) {
      throw new MetadataError(file, "codecs", `transpose codec: "order" ${showValue(value)} is not a permutation of 0..${value.length - 1}`);
    }
    seen.add(v);
  }
  return value as number[];
}
