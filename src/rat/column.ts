/**
 * Typed column handles: `await rz.column("area", "float64")` is a
 * `RatColumn<"float64">` whose blocks are `Float64Array`s, so the array type
 * reaches the caller without being written again at every call.
 */
import type { ArrayFor, DataType } from "../data-types.js";
import type { RatZarr } from "./rat-zarr.js";

/**
 * One column of a RAT, typed by its data type `D`. Make one with `rz.column(name, dtype)`
 * (which checks the stored data type) or `rz.createColumn(name, dtype)`.
 *
 * A thin view of the `RatZarr` handle it came from: every call goes through that handle's
 * `readBlock`/`writeBlock`, with their checks, and fails once the handle is closed.
 * `width` and `chunkSize` are read when the handle is made; a column keeps both for life.
 */
export class RatColumn<D extends DataType = DataType> {
  /** Not for callers: use `rz.column(name, dtype)`. */
  constructor(
    /** The RAT handle every call goes through. */
    readonly rat: RatZarr,
    /** The column's name. */
    readonly name: string,
    /** The column's data type, as stored. */
    readonly dtype: D,
    /** Values per row: 1 for a 1-d column; blocks are flat row-major arrays of `rows × width` values. */
    readonly width: number,
    /** Rows per chunk; blocks that start and end on multiples of it are written fastest. */
    readonly chunkSize: number,
  ) {}

  /** Rows `startRow .. startRow + blockLen`, clipped at the row count, as the column's array type. */
  readBlock(startRow: number, blockLen: number): Promise<ArrayFor<D>> {
    return this.rat.readBlock<D>(this.name, startRow, blockLen);
  }

  /** Write `block` at `startRow` (as `rz.writeBlock`: array type, width and row count checked first). */
  writeBlock(block: ArrayFor<D>, startRow: number): Promise<void> {
    return this.rat.writeBlock(this.name, block, startRow);
  }
}
