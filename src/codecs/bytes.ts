/**
 * The `bytes` array→bytes codec (spec: codecs/bytes v1.0): the elements of a
 * chunk in C order, each in its fixed-size binary form, little or big endian.
 */
import { elementCount } from "../grid.js";
import type { ArrayToBytesCodec, ChunkSpec, CodecContext, JsonObject } from "./codec.js";
import type { ChunkData, NumericDataType, TypedArray } from "../data-types.js";
import { ITEM_SIZE, arrayConstructor, arrayTypeName, describeArray, isArrayOf } from "../data-types.js";
import { CodecError, MetadataError, showValue } from "../errors.js";
import { float16ToNumber, HOST_LITTLE_ENDIAN } from "./binary.js";

const NAME = "bytes";

/** Make a `bytes` codec; `{"endian": "little" | "big"}`, where endian may be absent for 1-byte types only. */
export function createBytesCodec(configuration: JsonObject, file: string): ArrayToBytesCodec {
  const endian = configuration["endian"];
  if (endian !== undefined && endian !== "little" && endian !== "big") {
    throw new MetadataError(file, "codecs", `bytes codec: "endian" must be "little" or "big", got ${showValue(endian)}`);
  }
  // Data needs no swapping when stored order equals host order (or elements are single bytes).
  const swap = (itemSize: number): boolean => itemSize > 1 && (endian === "little") !== HOST_LITTLE_ENDIAN;

  /** The element size of `spec`, refusing strings and multi-byte types without a configured endian. */
  function itemSizeOf(spec: ChunkSpec, ctx: CodecContext): number {
    if (spec.dataType === "string") {
      throw new CodecError(NAME, ctx.key, `data type "string" has no fixed-size binary form (use the vlen-utf8 codec)`);
    }
    const size = ITEM_SIZE[spec.dataType];
    if (size > 1 && endian === undefined) {
      throw new CodecError(NAME, ctx.key, `data type "${spec.dataType}" is ${size} bytes per element but the codec configuration has no "endian"`);
    }
    return size;
  }

  return {
    kind: "array_to_bytes",
    name: NAME,

    encodedSize(spec: ChunkSpec): number | undefined {
      if (spec.dataType === "string") return undefined;
      return elementCount(spec.shape) * ITEM_SIZE[spec.dataType];
    },

    decode(bytes: Uint8Array, spec: ChunkSpec, ctx: CodecContext): ChunkData {
      const size = itemSizeOf(spec, ctx);
      const count = elementCount(spec.shape);
      if (bytes.byteLength !== count * size) {
        throw new CodecError(NAME, ctx.key, `chunk has ${bytes.byteLength} bytes, expected ${count * size} (${count} elements of ${size} bytes, shape [${spec.shape.join(", ")}])`);
      }
      const dataType = spec.dataType as NumericDataType;
      if (dataType === "float16") return decodeFloat16(bytes, count, endian === "big");
      if (dataType === "bool") {
        // Spec: bool is one byte, 0 or 1; any nonzero byte is read as true rather than rejected.
        const out = new Uint8Array(count);
        for (let i = 0; i < count; i++) out[i] = bytes[i] !== 0 ? 1 : 0;
        return out;
      }
      // The pipeline hands this codec bytes nobody else holds (a decompressor's output, or
      // a store's fresh read), so an aligned little-endian chunk is viewed, not copied.
      if (!swap(size) && bytes.byteOffset % size === 0) return new (arrayConstructor(dataType))(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
      // Otherwise one copy into a fresh, aligned buffer: honours byteOffset, fixes misalignment.
      const copy = bytes.slice();
      if (swap(size)) swapInPlace(copy, size);
      return new (arrayConstructor(dataType))(copy.buffer, 0, count);
    },

    encode(data: ChunkData, spec: ChunkSpec, ctx: CodecContext): Uint8Array {
      const size = itemSizeOf(spec, ctx);
      const count = elementCount(spec.shape);
      if (!isArrayOf(spec.dataType, data)) {
        throw new CodecError(NAME, ctx.key, `expected a ${arrayTypeName(spec.dataType)} for data type "${spec.dataType}", got ${describeArray(data)}`);
      }
      const typed = data as TypedArray;
      if (typed.length !== count) {
        throw new CodecError(NAME, ctx.key, `chunk array has ${typed.length} elements, expected ${count} (shape [${spec.shape.join(", ")}])`);
      }
      if (spec.dataType === "float16") {
        throw new CodecError(NAME, ctx.key, "writing float16 is not supported");
      }
      if (spec.dataType === "bool") {
        const out = new Uint8Array(count);
        for (let i = 0; i < count; i++) out[i] = typed[i] ? 1 : 0;
        return out;
      }
      const view = new Uint8Array(typed.buffer, typed.byteOffset, count * size);
      // A compressor comes next: it reads the array's own bytes, no copy needed.
      if (ctx.transient && !swap(size)) return view;
      // Copy, so the stored bytes do not change when the caller later edits its array.
      const out = view.slice();
      if (swap(size)) swapInPlace(out, size);
      return out;
    },
  };
}

/** Reverse the bytes of every `size`-byte element of `b`. */
function swapInPlace(b: Uint8Array, size: number): void {
  const half = size >> 1;
  for (let i = 0; i < b.length; i += size) {
    for (let j = 0; j < half; j++) {
      const t = b[i + j]!;
      b[i + j] = b[i + size - 1 - j]!;
      b[i + size - 1 - j] = t;
    }
  }
}

let halfTable: Float32Array | undefined;

/** The value of every float16 bit pattern, made on first use: one lookup per element beats the arithmetic. */
function float16Table(): Float32Array {
  if (halfTable !== undefined) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = float16ToNumber(h);
  halfTable = t;
  return t;
}

function decodeFloat16(bytes: Uint8Array, count: number, bigEndian: boolean): Float32Array {
  const table = float16Table();
  const out = new Float32Array(count);
  // Byte reads rather than a Uint16Array view: correct at any byteOffset and either byte order.
  const hi = bigEndian ? 0 : 1;
  const lo = 1 - hi;
  for (let i = 0, p = 0; i < count; i++, p += 2) out[i] = table[(bytes[p + hi]! << 8) | bytes[p + lo]!]!;
  return out;
}
