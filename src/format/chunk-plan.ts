/**
 * Plan, before any I/O: which chunks a selection of rows touches, and which
 * box of each chunk moves to or from which place of the caller's block. A
 * pure function of the array's shape and chunk shape.
 */
import { forEachIndex } from "../grid.js";

/** One chunk a selection touches, with the box of it to move. */
export interface ChunkJob {
  readonly coords: readonly number[];
  readonly key: string;
  /** The box of this chunk that the selection covers, start in chunk coordinates. */
  readonly chunkStart: readonly number[];
  /** The same box, start in the caller's block. */
  readonly blockStart: readonly number[];
  readonly count: readonly number[];
  /** The box is every element of the chunk that lies inside the array. */
  readonly whole: boolean;
  /** The box starts inside the chunk and runs to its last row: a sequential pass is done with it. */
  readonly finishes: boolean;
}

/**
 * The chunks that rows [start, stop) of an array of `shape` in chunks of `chunkShape` touch
 * (every element of the other dimensions), in C order of the chunk grid. `keyOf` names a chunk.
 */
export function planRows(shape: readonly number[], chunkShape: readonly number[], start: number, stop: number, keyOf: (coords: readonly number[]) => string): ChunkJob[] {
  if (shape.length === 0) return [{ coords: [], key: keyOf([]), chunkStart: [], blockStart: [], count: [], whole: true, finishes: false }];
  if (stop <= start || shape.some((s) => s === 0)) return [];
  const lo = shape.map((_, d) => (d === 0 ? Math.floor(start / chunkShape[0]!) : 0));
  const hi = shape.map((s, d) => (d === 0 ? Math.floor((stop - 1) / chunkShape[0]!) : Math.ceil(s / chunkShape[d]!) - 1));
  const jobs: ChunkJob[] = [];
  forEachIndex(lo, hi, (coords) => {
    const origin = coords.map((c, d) => c * chunkShape[d]!);
    const first = origin.map((o, d) => (d === 0 ? Math.max(o, start) : o));
    const end = origin.map((o, d) => Math.min(o + chunkShape[d]!, d === 0 ? stop : shape[d]!));
    const chunkEnd0 = Math.min(origin[0]! + chunkShape[0]!, shape[0]!);
    const whole = origin.every((o, d) => first[d] === o && end[d] === Math.min(o + chunkShape[d]!, shape[d]!));
    jobs.push({
      coords: [...coords],
      key: keyOf(coords),
      chunkStart: first.map((f, d) => f - origin[d]!),
      blockStart: first.map((f, d) => (d === 0 ? f - start : f)),
      count: first.map((f, d) => end[d]! - f),
      whole,
      finishes: !whole && first[0]! > origin[0]! && end[0] === chunkEnd0,
    });
  });
  return jobs;
}
