/**
 * The chunk grid and boxes of elements in C-order (row-major) arrays: strides,
 * coordinate iteration, moving a box between a chunk and the caller's block,
 * filling one, and the all-fill test. Used by the array engine and by the
 * sharding codec alike. Trailing dimensions that are whole on both sides are
 * merged, so a 1-d copy or a copy of whole rows is one `set` call.
 */
import type { ChunkData, DataType, FillValue, TypedArray } from "./data-types.js";
import { fillElement, ITEM_SIZE } from "./data-types.js";

/** Elements in an array of `shape` (1 for rank 0). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** C-order strides of `shape`, in elements. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/**
 * Visit every index from `lo` to `hi` (both inclusive, per dimension) in C order; the array
 * passed to `visit` is reused, copy it to keep it. Nothing is visited when any `hi < lo`.
 */
export function forEachIndex(lo: readonly number[], hi: readonly number[], visit: (index: number[]) => void): void {
  if (lo.some((l, d) => hi[d]! < l)) return;
  const idx = [...lo];
  for (;;) {
    visit(idx);
    let d = idx.length - 1;
    while (d >= 0) {
      if (++idx[d]! <= hi[d]!) break;
      idx[d] = lo[d]!;
      d--;
    }
    if (d < 0) return;
  }
}

/** The C-order position of element number `n` of a grid of `shape`. */
export function unravel(n: number, shape: readonly number[]): number[] {
  const pos = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = n % shape[d]!;
    n = Math.floor(n / shape[d]!);
  }
  return pos;
}

/** Visit the start offsets of every contiguous run of a box; `run` is the run length. */
function forEachRun(
  shapes: readonly (readonly number[])[],
  starts: readonly (readonly number[])[],
  count: readonly number[],
  visit: (offsets: number[], run: number) => void,
): void {
  const rank = count.length;
  if (rank === 0) return visit(shapes.map(() => 0), 1);
  if (count.some((c) => c === 0)) return;
  // Merge trailing dimensions that are whole in every array into one run.
  let k = rank - 1;
  let run = count[k]!;
  while (k > 0 && shapes.every((s) => s[k] === count[k])) {
    k--;
    run *= count[k]!;
  }
  const st = shapes.map(strides);
  const base = starts.map((s, a) => s.reduce((acc, x, d) => acc + x * st[a]![d]!, 0));
  forEachIndex(new Array<number>(k).fill(0), count.slice(0, k).map((c) => c - 1), (idx) =>
    visit(base.map((b, a) => idx.reduce((acc, x, d) => acc + x * st[a]![d]!, b)), run),
  );
}

/** Copy the box `count` at `srcStart` of `src` (shape `srcShape`) to `dstStart` of `dst` (shape `dstShape`). */
export function copyBox(
  src: ChunkData, srcShape: readonly number[], srcStart: readonly number[],
  dst: ChunkData, dstShape: readonly number[], dstStart: readonly number[],
  count: readonly number[],
): void {
  forEachRun([srcShape, dstShape], [srcStart, dstStart], count, ([so, dO], run) => {
    if (Array.isArray(src)) {
      const d = dst as string[];
      for (let i = 0; i < run; i++) d[dO! + i] = src[so! + i]!;
    } else {
      (dst as TypedArray).set((src as TypedArray).subarray(so!, so! + run) as never, dO!);
    }
  });
}

/** Set the box `count` at `start` of `dst` (shape `shape`) to the fill value. */
export function fillBox(dst: ChunkData, shape: readonly number[], start: readonly number[], count: readonly number[], dataType: DataType, fill: FillValue): void {
  const v = fillElement(dataType, fill);
  forEachRun([shape], [start], count, ([o], run) => {
    (dst as { fill(v: unknown, a: number, b: number): unknown }).fill(v, o!, o! + run);
  });
}

/**
 * True when every element of `data` is the fill value (FORMAT.md, Chunks):
 * NaN matches a NaN fill, and -0.0 does not match 0.0, so floats compare by bits.
 */
export function isAllFill(data: ChunkData, dataType: DataType, fill: FillValue): boolean {
  if (Array.isArray(data)) {
    const f = String(fill);
    for (let i = 0; i < data.length; i++) if (data[i] !== f) return false;
    return true;
  }
  const v = fillElement(dataType, fill);
  if (typeof v === "number" && Number.isNaN(v)) {
    const a = data as Float32Array | Float64Array;
    for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!)) return false;
    return true;
  }
  // Compare bit patterns, four bytes at a time where alignment allows.
  const size = dataType === "float16" ? 4 : ITEM_SIZE[dataType as Exclude<DataType, "string">];
  const one = new (data.constructor as new (n: number) => TypedArray)(8);
  (one as { fill(v: unknown): unknown }).fill(v);
  const pat = new Uint8Array(one.buffer);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteOffset % 4 === 0 && bytes.byteLength % 4 === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const p = new Uint32Array(pat.buffer, 0, 2);
    const p0 = p[0]!, p1 = size === 8 ? p[1]! : p0;
    for (let i = 0; i < words.length; i += 2) {
      if (words[i] !== p0) return false;
      if (i + 1 < words.length && words[i + 1] !== p1) return false;
    }
    return true;
  }
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== pat[i % size]) return false;
  return true;
}
