/**
 * The chunk size of a RAT the block applier creates, by RIOS's rule
 * (rios/ratapplier.py, `checkZarrfileParams`), so that RATs made here and by
 * RIOS are laid out alike: a block length under 100000 rows is the chunk
 * size; otherwise the chunk is the block length split into the fewest equal
 * parts of at most 999999 rows each, looking no further than parts of
 * 100000 rows. A chunk that divides the block length means every block of
 * the loop (but the last, ragged one) writes whole chunks, and partitions of
 * the loop never share a chunk.
 */
import { BoundsError } from "../../errors.js";
import { checkCount } from "../arguments.js";

/** The smallest chunk RIOS looks for (rows). */
export const MIN_RULE_CHUNK = 100_000;
/** The largest chunk RIOS allows (rows): larger ones blew up memory in zarr-python. */
export const MAX_RULE_CHUNK = 999_999;

/**
 * Rows per chunk for a RAT written in blocks of `blockLen` rows. A block length with no
 * divisor in range (a prime above 999999, say) is a `BoundsError` naming it, as in RIOS.
 */
export function ratChunkSize(blockLen: number): number {
  checkCount(blockLen, "block length", 1);
  if (blockLen < MIN_RULE_CHUNK) return blockLen;
  // Parts: from the fewest that keep a part within the maximum, upwards, while a part is
  // still larger than the minimum; the first that divides evenly wins.
  for (let parts = Math.ceil(blockLen / MAX_RULE_CHUNK); ; parts++) {
    if (blockLen % parts === 0) return blockLen / parts;
    if (blockLen / parts <= MIN_RULE_CHUNK) break;
  }
  throw new BoundsError(`block length ${blockLen}: no chunk size divides it into equal parts of ${MIN_RULE_CHUNK} to ${MAX_RULE_CHUNK} rows (RIOS's rule); choose a block length with such a divisor, e.g. a multiple of 100000`);
}
