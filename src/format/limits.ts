/**
 * The bounds every size and numeric option is checked against, in one place:
 * an option that is not an integer in its range, a chunk or block too large
 * to hold in memory, are refused with a `RatZarrError` naming the option or
 * the array and the numbers, before any work starts (a `NaN` concurrency
 * once made the chunk loop start no worker at all and lose writes silently).
 */
import { type DataType, ITEM_SIZE } from "../data-types.js";
import { BoundsError, RatZarrError } from "../errors.js";

/**
 * The largest decoded chunk an array may have, in bytes: 2 GiB - 1, what a typed array
 * can hold in every runtime this library supports. zarr-python's default chunks are far smaller.
 */
export const MAX_CHUNK_BYTES = 2 ** 31 - 1;
/** The largest block one read or write may move, in bytes (the same 2 GiB - 1): larger reads go in blocks. */
export const MAX_BLOCK_BYTES = 2 ** 31 - 1;
/** The most chunk requests one handle may keep in flight. */
export const MAX_CONCURRENCY = 1024;

/** Bytes per element for the size bounds: strings count as a reference each (their text comes on top). */
function elementBytes(dataType: DataType): number {
  return dataType === "string" ? 8 : ITEM_SIZE[dataType];
}

/** Throw unless `value` is undefined or an integer in [min, max]; the message names the option. */
export function checkIntegerOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    const shown = typeof value === "number" ? String(value) : typeof value === "bigint" ? `${value}n` : `a ${typeof value}`;
    throw new RatZarrError(`option "${name}" must be an integer from ${min} to ${max}, got ${shown}`);
  }
}

/** The numeric options an array handle takes (`concurrency`, `readAhead`, `writeBehind`, `maxDecodedBytes`). */
export interface NumericIoOptions {
  readonly concurrency?: number | undefined;
  readonly readAhead?: number | undefined;
  readonly writeBehind?: number | undefined;
  readonly maxDecodedBytes?: number | undefined;
}

/** Check the numeric I/O options of an array or RAT handle. */
export function checkIoOptions(options: NumericIoOptions): void {
  checkIntegerOption("concurrency", options.concurrency, 1, MAX_CONCURRENCY);
  checkIntegerOption("readAhead", options.readAhead, 0, 64);
  checkIntegerOption("writeBehind", options.writeBehind, 0, MAX_CONCURRENCY);
  checkIntegerOption("maxDecodedBytes", options.maxDecodedBytes, 1, MAX_CHUNK_BYTES);
}

/** Throw unless a chunk of `chunkShape` elements of `dataType` fits in memory. `what` names the array. */
export function checkChunkSize(what: string, dataType: DataType, chunkShape: readonly number[]): void {
  let elements = 1;
  for (const c of chunkShape) elements *= c;
  const bytes = elements * elementBytes(dataType);
  if (!(bytes <= MAX_CHUNK_BYTES)) {
    throw new BoundsError(`${what}: a chunk of [${chunkShape.join(", ")}] ${dataType} values takes ${bytes} bytes, more than the ${MAX_CHUNK_BYTES} a chunk may hold`);
  }
}

/** Throw unless a block of `rows` rows of `rowSize` elements of `dataType` fits in one call. */
export function checkBlockSize(what: string, dataType: DataType, rows: number, rowSize: number): void {
  const bytes = rows * rowSize * elementBytes(dataType);
  if (!(bytes <= MAX_BLOCK_BYTES)) {
    throw new BoundsError(`${what}: a block of ${rows} rows of ${rowSize} ${dataType} values takes ${bytes} bytes, more than the ${MAX_BLOCK_BYTES} one call may move; use smaller blocks`);
  }
}
