/**
 * Where the block applier is: the state its function gets with each block,
 * as RIOS's `RatApplierState` (blockNdx, startrow, blockLen, rowCount,
 * inputRowNumbers), in TypeScript names.
 */

/** The block the applier's function is called for. */
export class BlockState {
  private rows: Float64Array | undefined;

  constructor(
    /** This block's number, from 0, counted over the whole RAT (not only this partition's blocks). */
    readonly blockIndex: number,
    /** The first input row of the block. */
    readonly startRow: number,
    /** Rows in this block: the block length, less on the last block. */
    readonly blockLen: number,
    /** Rows the applier goes through: the inputs' row count, or the `rowCount` option. */
    readonly rowCount: number,
    /** Blocks in the whole loop. */
    readonly blockCount: number,
  ) {}

  /** The input row numbers of this block (`startRow .. startRow + blockLen - 1`), made on first call; RIOS's `inputRowNumbers`. */
  inputRows(): Float64Array {
    if (this.rows === undefined) {
      const rows = new Float64Array(this.blockLen);
      for (let i = 0; i < rows.length; i++) rows[i] = this.startRow + i;
      this.rows = rows;
    }
    return this.rows;
  }
}

/** The state of block `blockIndex` of a loop over `rowCount` rows in blocks of `blockLen`. */
export function blockState(blockIndex: number, blockLen: number, rowCount: number, blockCount: number): BlockState {
  const startRow = blockIndex * blockLen;
  return new BlockState(blockIndex, startRow, Math.min(blockLen, rowCount - startRow), rowCount, blockCount);
}

/** Blocks of `blockLen` rows that cover `rowCount` rows. */
export function blockCount(rowCount: number, blockLen: number): number {
  return Math.ceil(rowCount / blockLen);
}
