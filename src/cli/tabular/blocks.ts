/**
 * A RAT read block by block for `export`: rows `start .. stop` of the chosen
 * columns, a block of rows at a time through `readBlock` (every column of a
 * block at once), the next block read while the caller writes this one.
 * Memory holds two blocks whatever the row count (plus the library's chunk
 * cache, which also spares decoding a chunk again for each block within it).
 * The signal is checked between blocks.
 */
import type { RatZarr } from "../../node/index.js";
import type { ArrayFor, DataType } from "../../data-types.js";
import type { TableBlock, TableColumn } from "./columns.js";

/** Rows per block by default (import's blocks are whole chunks near this size). */
export const BLOCK_ROWS = 100_000;

/** The blocks of rows `start .. stop` of `columns`. */
export async function* ratBlocks(rz: RatZarr, columns: readonly TableColumn[], start: number, stop: number, signal: AbortSignal, blockRows = BLOCK_ROWS): AsyncGenerator<TableBlock> {
  const read = (at: number): Promise<TableBlock> => {
    const rows = Math.min(blockRows, stop - at);
    return Promise.all(columns.map((c) => rz.readBlock(c.name, at, rows) as Promise<ArrayFor<DataType>>)).then((values) => ({ start: at, rows, values }));
  };
  let next = start < stop ? read(start) : undefined;
  for (let at = start; next !== undefined; at += blockRows) {
    signal.throwIfAborted();
    const block = await next;
    // Read ahead one block; a failure shows when it is awaited (or is dropped with the generator).
    next = at + blockRows < stop ? read(at + blockRows) : undefined;
    next?.catch(() => undefined);
    yield block;
  }
}
