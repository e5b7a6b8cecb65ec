/**
 * When a block leaves partial chunks (read and written again: slower), and the
 * warning that says so. Chunks end at multiples of the chunk size and at the
 * row count (the last, ragged one), so a block ending at the row count is
 * aligned.
 */

/** A RAT of at most this many rows in one chunk is cheap to rewrite: no alignment warning for it. */
const SMALL_CHUNK_ROWS = 4096;

/** The warning a block of `rows` rows at `startRow` of column `name` deserves, or undefined. */
export function alignmentWarning(name: string, chunk: number, rowCount: number, startRow: number, rows: number): { kind: "small" | "multiple"; message: string } | undefined {
  const end = startRow + rows;
  // A RAT that is one small chunk is rewritten whole at little cost, whatever the blocks; a
  // RAT of one big chunk (400000 rows in tiny blocks) still warns.
  if (rows === 0 || rowCount <= Math.min(chunk, SMALL_CHUNK_ROWS)) return undefined;
  if (startRow % chunk === 0 && (end % chunk === 0 || end === rowCount)) return undefined;
  if (rows < chunk && end < rowCount) {
    return { kind: "small", message: `column "${name}": block of ${rows} rows is smaller than the chunk size ${chunk}; use blocks that are a multiple of ${chunk} rows` };
  }
  return { kind: "multiple", message: `column "${name}": block of ${rows} rows at row ${startRow} is not aligned to the chunk size ${chunk}; partial chunks are read and written again (slower)` };
}
