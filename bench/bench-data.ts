/**
 * The data of the streaming benchmarks, the same on every side (the Python
 * sides compute it as bench/zarr_python_bench.py's docstring says): the
 * column types, each row's values from h = (i * 2654435761) mod 2^32, the
 * seeded random row list, sizes and the check of what a read gives back.
 * bench/run.ts compiles it beside bench/ratzarr_bench.ts and bench/zarrita_bench.ts.
 */

export const DTYPES = ["float64", "int32", "uint16", "string-short", "string-long"] as const;
export type BenchDtype = (typeof DTYPES)[number];
export type Block = Float64Array | Int32Array | Uint16Array | string[];

const hex8 = (x: number) => x.toString(16).padStart(8, "0");

/** Row `i`'s string (see the Python docstring). */
export function stringValue(i: number, h: number, long: boolean): string {
  const tail = i % 7 === 0 ? "é" : "";
  if (!long) return `s${h % 100000}${tail}`;
  let seg = "";
  for (let k = 0; k < 5; k++) seg += hex8((h ^ Math.imul(k, 0x9e3779b9)) >>> 0);
  return seg.repeat(5) + tail;
}

/** Value `k` of row `i`: h = (i * 2654435761) mod 2^32 (see the Python docstring). */
export function valueAt(i: number, k: number, dt: BenchDtype): number | string {
  const hk = ((Math.imul(i, 2654435761) >>> 0) + k * 7919) >>> 0;
  if (dt === "string-short" || dt === "string-long") return stringValue(i, hk, dt === "string-long");
  return dt === "float64" ? (hk % 100000) / 100 : dt === "int32" ? hk % 1000000 : hk % 65536;
}

/** Same data as the Python side; flat row-major for width > 1. */
export function blockValues(start: number, stop: number, dt: BenchDtype, w = 1): Block {
  const n = stop - start;
  const out = dt === "string-short" || dt === "string-long" ? new Array<string>(n * w) : dt === "float64" ? new Float64Array(n * w) : dt === "int32" ? new Int32Array(n * w) : new Uint16Array(n * w);
  for (let j = 0; j < n; j++) for (let k = 0; k < w; k++) (out as (number | string)[])[j * w + k] = valueAt(start + j, k, dt);
  return out;
}

/** Uncompressed size of a block: UTF-8 bytes for strings. */
export const byteSize = (b: Block) => Array.isArray(b) ? b.reduce((s, x) => s + Buffer.byteLength(x, "utf8"), 0) : b.byteLength;

/**
 * `got` holds rows [first, first + got.length / width) as written, or an error naming the row.
 * Every value is checked, each expected value made as it is compared: no expected block is
 * held (a block of 500000 strings would itself cost the JavaScript heap tens of MB).
 */
export function checkRows(got: ArrayLike<unknown>, first: number, stop: number, dt: BenchDtype, width: number): void {
  if (got.length !== (stop - first) * width) throw new Error(`row ${first}: read ${got.length} values, wrote ${(stop - first) * width}`);
  for (let j = 0; j < got.length; j++) {
    const want = valueAt(first + Math.floor(j / width), j % width, dt);
    if (got[j] !== want) throw new Error(`row ${first + Math.floor(j / width)}: read ${String(got[j])}, wrote ${String(want)}`);
  }
}

/** The seeded row list, the same on the Python side: x = (1664525 x + 1013904223) mod 2^32, row = x mod rows. */
export function randomRows(n: number, rowCount: number, s: number): number[] {
  let x = s >>> 0;
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push(x % rowCount);
  }
  return out;
}
