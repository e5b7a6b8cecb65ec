/**
 * Chunk key encodings (spec: "Chunk key encoding"): `default` gives
 * `c/1/0` (or `c.1.0`), `v2` gives `1.0` (or `1/0`); a 0-d chunk is `c` or `0`.
 */
import type { ChunkKeyEncoding } from "./metadata.js";

/** The store key of the chunk at grid coordinates `coords`, relative to the array's folder. */
export function chunkKey(encoding: ChunkKeyEncoding, coords: readonly number[]): string {
  if (encoding.name === "default") return coords.length === 0 ? "c" : "c" + encoding.separator + coords.join(encoding.separator);
  return coords.length === 0 ? "0" : coords.join(encoding.separator);
}
