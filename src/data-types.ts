/**
 * Zarr v3 data types and the JavaScript arrays that hold them. One string
 * union drives the mapped types, so `ArrayFor<"int64">` is `BigInt64Array`.
 */
import { RatZarrError } from "./errors.js";

/** Every data type ratzarr reads; all but `float16` are also written. */
export const DATA_TYPES = [
  "bool",
  "int8", "int16", "int32", "int64",
  "uint8", "uint16", "uint32", "uint64",
  "float16", "float32", "float64",
  "string",
] as const;

export type DataType = (typeof DATA_TYPES)[number];
export type NumericDataType = Exclude<DataType, "string">;

/** The array type each data type is read into. `bool` is 0/1 in a `Uint8Array`; `float16` widens to `Float32Array`. */
export interface ArrayTypes {
  bool: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  float16: Float32Array;
  float32: Float32Array;
  float64: Float64Array;
  string: string[];
}

export type ArrayFor<D extends DataType> = ArrayTypes[D];
/** Any array that holds chunk data: a typed array or `string[]`. */
export type ChunkData = ArrayTypes[DataType];
export type TypedArray = Exclude<ChunkData, string[]>;
/** A fill value as held in memory: `bigint` for 64-bit integers, `boolean` for bool, `string` for strings. */
export type FillValue = number | bigint | boolean | string;

/** Bytes per element as stored (before compression); `string` has no fixed size. */
export const ITEM_SIZE: Readonly<Record<NumericDataType, number>> = {
  bool: 1, int8: 1, uint8: 1,
  int16: 2, uint16: 2, float16: 2,
  int32: 4, uint32: 4, float32: 4,
  int64: 8, uint64: 8, float64: 8,
};

type TypedArrayConstructor = { new (n: number): TypedArray; new (b: ArrayBuffer, off: number, n: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

const CONSTRUCTORS: Readonly<Record<NumericDataType, TypedArrayConstructor>> = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, float16: Float32Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float64: Float64Array,
};

/** True when `name` is a data type ratzarr knows. */
export function isDataType(name: unknown): name is DataType {
  return typeof name === "string" && (DATA_TYPES as readonly string[]).includes(name);
}

/** The typed-array constructor that holds `dataType` in memory. */
export function arrayConstructor(dataType: NumericDataType): TypedArrayConstructor {
  return CONSTRUCTORS[dataType];
}

/** A new array of `length` elements for `dataType`, every element set to `fill`. */
export function allocate<D extends DataType>(dataType: D, length: number, fill?: FillValue): ArrayFor<D> {
  if (dataType === "string") {
    return new Array<string>(length).fill(typeof fill === "string" ? fill : "") as ArrayFor<D>;
  }
  const out = new CONSTRUCTORS[dataType as NumericDataType](length);
  if (fill !== undefined) {
    const v = fillElement(dataType, fill) as number | bigint;
    // new typed arrays are already +0; -0.0 is a distinct fill value.
    if ((v !== 0 && v !== 0n) || Object.is(v, -0)) (out as { fill(v: number | bigint): unknown }).fill(v);
  }
  return out as ArrayFor<D>;
}

/** The element a fill value becomes inside an array of `dataType` (bool → 0/1, int64 → bigint). */
export function fillElement(dataType: DataType, fill: FillValue): number | bigint | string {
  if (dataType === "string") return String(fill);
  if (dataType === "int64" || dataType === "uint64") return typeof fill === "bigint" ? fill : BigInt(fill as number);
  if (typeof fill === "boolean") return fill ? 1 : 0;
  if (typeof fill === "bigint") return Number(fill);
  if (typeof fill === "string") throw new RatZarrError(`fill value ${JSON.stringify(fill)} is not a ${dataType}`);
  return fill;
}

/** True when `data` is the array type that holds `dataType` (strings: an array of strings). */
export function isArrayOf(dataType: DataType, data: unknown): boolean {
  if (dataType === "string") return Array.isArray(data);
  return data instanceof CONSTRUCTORS[dataType];
}

/** The JavaScript name of the array type for `dataType`, for error messages. */
export function arrayTypeName(dataType: DataType): string {
  return dataType === "string" ? "string[]" : CONSTRUCTORS[dataType].name;
}

/** Short description of any value's array type, for error messages. */
export function describeArray(data: unknown): string {
  if (Array.isArray(data)) return "Array";
  if (ArrayBuffer.isView(data)) return data.constructor.name;
  return data === null ? "null" : typeof data;
}

/**
 * `noun` after "a" or "an", as a message reads it: "an Int32Array", "a Uint8Array" (a
 * you-int), "an Array", "an object"; `undefined` and `null` stand alone.
 */
export function withArticle(noun: string): string {
  if (noun === "undefined" || noun === "null") return noun;
  // The names these messages use start with a vowel sound exactly when they start with a, e, i or o.
  return `${/^[aeio]/i.test(noun) ? "an" : "a"} ${noun}`;
}

/**
 * Set in the options of `ZarrArray.write` by a caller that has run `firstNonString` on the block
 * itself, with no await between its check and the call (so the block cannot have changed): the
 * array does not scan it again (`RatZarr.writeBlock` names the column in its own message). A
 * symbol the package does not export, so no user passes it by accident.
 */
export const STRINGS_CHECKED: unique symbol = Symbol("ratzarr: strings checked");

/** The options of a write whose caller may have checked the strings (`STRINGS_CHECKED`). */
export interface StringsChecked {
  readonly [STRINGS_CHECKED]?: true;
}

/** The index of the first element of a string block that is not a string (-1: none; always -1 for other types). */
export function firstNonString(dataType: DataType, data: unknown): number {
  if (dataType !== "string" || !Array.isArray(data)) return -1;
  for (let i = 0; i < data.length; i++) if (typeof data[i] !== "string") return i;
  return -1;
}

/**
 * A block as the store will give it back, for what is kept in memory as written (partial
 * chunks in the cache): strings without lone surrogates (UTF-8 has none; U+FFFD is stored),
 * booleans as 0 and 1. The same array when nothing changes; a copy otherwise.
 */
export function storedForm(dataType: DataType, data: ChunkData): ChunkData {
  if (dataType === "string") return wellFormedStrings(data as string[]) as string[];
  if (dataType === "bool") {
    const b = data as Uint8Array;
    for (let i = 0; i < b.length; i++) if (b[i]! > 1) return b.map((x) => (x === 0 ? 0 : 1));
  }
  return data;
}

/** `strings` as UTF-8 gives them back: lone surrogates become U+FFFD. The same array when nothing changes. */
export function wellFormedStrings(strings: readonly string[]): readonly string[] {
  let out: string[] | undefined;
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]!;
    if (s.isWellFormed()) continue;
    out ??= strings.slice();
    out[i] = s.toWellFormed();
  }
  return out ?? strings;
}
