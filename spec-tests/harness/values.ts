/** Converting column data between ratzarr's arrays and the harness's JSON (numbers, bigints, NaN tokens, booleans, strings). */
import type { JsonValue } from "../../src/codecs/codec.js";
import type { ArrayFor, DataType } from "../../src/data-types.js";

/** Column data as JSON values for Python: bool as true/false, 64-bit integers as bigint. */
export function toJsonValues(dt: DataType, data: ArrayFor<DataType>): JsonValue[] {
  if (dt === "bool") return Array.from(data as Uint8Array, (v) => v !== 0);
  return Array.from(data as ArrayLike<JsonValue>);
}

/** JSON values from Python (or the fixtures' convention: "NaN" strings, 64-bit integers as decimal strings) as the array type of `dt`. */
export function fromJsonValues(dt: DataType, values: readonly JsonValue[]): ArrayFor<DataType> {
  switch (dt) {
    case "string": return values.map(String);
    case "bool": return Uint8Array.from(values, (v) => (v === true ? 1 : 0));
    case "int64": return BigInt64Array.from(values, (v) => BigInt(v as number | bigint | string));
    case "uint64": return BigUint64Array.from(values, (v) => BigInt(v as number | bigint | string));
    case "int8": return Int8Array.from(values as number[]);
    case "int16": return Int16Array.from(values as number[]);
    case "int32": return Int32Array.from(values as number[]);
    case "uint8": return Uint8Array.from(values as number[]);
    case "uint16": return Uint16Array.from(values as number[]);
    case "uint32": return Uint32Array.from(values as number[]);
    case "float32": case "float16": return Float32Array.from(values, Number);
    case "float64": return Float64Array.from(values, Number);
  }
}

/** Deterministic sample data for a column: `rows × width` values with unicode, empty strings, extremes, NaN and -0. */
export function sampleColumn(dt: DataType, rows: number, width: number, seed: number): ArrayFor<DataType> {
  const n = rows * width;
  let x = seed >>> 0 || 1;
  const next = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), x);
  const words = ["", "a", "héllo", "日本語", "🌍 emoji", "tab\there", "quote\"", "x".repeat(300), "0"];
  switch (dt) {
    case "string": return Array.from({ length: n }, () => words[next() % words.length]! + (next() % 3 === 0 ? String(next() % 100) : ""));
    case "bool": return Uint8Array.from({ length: n }, () => next() & 1);
    case "int64": return BigInt64Array.from({ length: n }, () => (BigInt(next()) << 32n | BigInt(next())) - (1n << 63n));
    case "uint64": return BigUint64Array.from({ length: n }, () => BigInt(next()) << 32n | BigInt(next()));
    case "float32": case "float64": {
      const special = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 1e300];
      const a = dt === "float32" ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = next() % 17 === 0 ? special[next() % special.length]! : (next() - 2 ** 31) / 1024;
      return a;
    }
    default: {
      const bits = { int8: 8, int16: 16, int32: 32, uint8: 8, uint16: 16, uint32: 32, float16: 16 }[dt];
      const signed = dt.startsWith("int");
      const C = { int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, float16: Float32Array }[dt];
      const a = new C(n);
      for (let i = 0; i < n; i++) {
        const v = next() % 2 ** bits;
        a[i] = signed ? v - 2 ** (bits - 1) : v;
      }
      return a as ArrayFor<DataType>;
    }
  }
}
