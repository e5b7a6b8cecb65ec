/**
 * Store keys of a Zarr v3 hierarchy: a node's `zarr.json`, and chunk keys
 * (spec: "Chunk key encoding"): `default` gives `c/1/0` (or `c.1.0`), `v2`
 * gives `1.0` (or `1/0`); a 0-d chunk is `c` or `0`.
 */
import type { ChunkKeyEncoding } from "./metadata.js";

/** The store key of the `zarr.json` of the node at `path` ("" is the root). */
export function metadataKey(path: string): string {
  return path === "" ? "zarr.json" : `${path}/zarr.json`;
}

/** The store key of the chunk at grid coordinates `coords`, relative to the array's folder. */
export function chunkKey(encoding: ChunkKeyEncoding, coords: readonly number[]): string {
  if (encoding.name === "default") return coords.length === 0 ? "c" : "c" + encoding.separator + coords.join(encoding.separator);
  return coords.length === 0 ? "0" : coords.join(encoding.separator);
}

/**
 * The grid coordinates of a chunk key (relative to the array's folder) of an array of rank
 * `rank`, or undefined when the key is not a chunk key of that encoding (zarr.json, a stray file).
 */
export function parseChunkKey(encoding: ChunkKeyEncoding, key: string, rank: number): number[] | undefined {
  const sep = encoding.separator;
  let rest = key;
  if (encoding.name === "default") {
    if (rank === 0) return key === "c" ? [] : undefined;
    if (!key.startsWith("c" + sep)) return undefined;
    rest = key.slice(2);
  } else if (rank === 0) {
    return key === "0" ? [] : undefined;
  }
  const parts = rest.split(sep);
  if (parts.length !== rank) return undefined;
  const coords: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]*)$/.test(p)) return undefined;
    const n = Number(p);
    if (!Number.isSafeInteger(n)) return undefined;
    coords.push(n);
  }
  return coords;
}

/** The store key of the chunk at `coords` of the array at `path` ("" is the root), as `metadataKey` names its `zarr.json`. */
export function arrayChunkKey(path: string, encoding: ChunkKeyEncoding, coords: readonly number[]): string {
  const k = chunkKey(encoding, coords);
  return path === "" ? k : `${path}/${k}`;
}

/** The grid coordinates of store key `key` of the array at `path`, or undefined when it is not one of its chunk keys. */
export function parseArrayChunkKey(path: string, encoding: ChunkKeyEncoding, key: string, rank: number): number[] | undefined {
  if (path !== "" && !key.startsWith(`${path}/`)) return undefined;
  return parseChunkKey(encoding, path === "" ? key : key.slice(path.length + 1), rank);
}
