/**
 * Copying a stored RAT object by object, bytes unchanged (`ratzarr cp`): a
 * plan of the keys that make up the RAT (found by listing, or, on an HTTP
 * server that cannot list, from the metadata and the chunk grids), the copy
 * itself with bounded concurrency, and the check of the copy afterwards.
 *
 * Order is what makes an interrupted copy safe: chunks, then each column's
 * `zarr.json`, then `RAT/zarr.json`, the root `zarr.json` last. Until that
 * last write the destination has no root group, so `RatZarr.open` and
 * `isValidRatZarr` (here and in Python) do not take it for a RAT.
 */
import { createHash } from "node:crypto";
import type { Store, StoreOptions } from "../stores/store.js";
import { HttpStore } from "../stores/http.js";
import { isJsonObject } from "../codecs/codec.js";
import { type ArrayMetadata, parseArrayMetadata, parseGroupMetadata } from "../format/metadata.js";
import { parseJson } from "../format/json.js";
import { chunkKey, metadataKey, parseChunkKey } from "../format/keys.js";
import { mapLimit } from "../format/concurrency.js";
import { RAT_GROUP } from "../rat/layout.js";
import { MetadataError, NodeError, RatZarrError } from "../errors.js";
import { nodeRuntime } from "../node/index.js";

const ROOT_META = metadataKey("");
const RAT_META = metadataKey(RAT_GROUP);

/** The keys to copy, in the order they must be written; `probe`: chunk keys guessed from the grid, absent ones skipped. */
export interface CopyPlan {
  /** Chunks, then the columns' `zarr.json`, then `RAT/zarr.json`, then the root `zarr.json`. */
  readonly phases: readonly (readonly string[])[];
  /** Keys of the source that are not part of the RAT (stray files, chunks outside a grid), left behind. */
  readonly skipped: readonly string[];
  /** True when the chunk keys come from the chunk grids (a server that cannot list): a missing one is a chunk never written. */
  readonly probe: boolean;
}

/** The size and SHA-256 of one copied object, to check the copy with. */
export interface Copied {
  readonly size: number;
  readonly digest: string;
}

/** A hex SHA-256 of `bytes`. */
export function digestOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Column names a group `zarr.json` lists in zarr-python's `consolidated_metadata` (`prefix`: "RAT/" at the root, "" in the RAT group). */
function consolidatedColumns(bytes: Uint8Array, file: string, prefix: string): string[] {
  const doc = parseJson(new TextDecoder().decode(bytes), file);
  const cm = isJsonObject(doc) ? doc["consolidated_metadata"] : undefined;
  const meta = isJsonObject(cm) ? cm["metadata"] : undefined;
  if (!isJsonObject(meta)) return [];
  return Object.keys(meta).filter((k) => k.startsWith(prefix) && k.length > prefix.length && !k.slice(prefix.length).includes("/")).map((k) => k.slice(prefix.length));
}

/** Every chunk key of an array in its grid, relative to the array's folder, in C order. */
function gridKeys(meta: ArrayMetadata): string[] {
  const grid = meta.shape.map((n, i) => Math.ceil(n / meta.chunkShape[i]!));
  const out: string[] = [];
  if (grid.some((n) => n === 0)) return out;
  const coords = grid.map(() => 0);
  for (;;) {
    out.push(chunkKey(meta.chunkKeyEncoding, coords));
    let d = coords.length - 1;
    while (d >= 0 && ++coords[d]! === grid[d]) coords[d--] = 0;
    if (d < 0) return out;
  }
}

/** The array metadata of column `name`, read from `store`, or a `NodeError` when it is missing. */
async function columnMeta(store: Store, name: string, io: StoreOptions): Promise<ArrayMetadata> {
  const file = `${RAT_GROUP}/${name}/zarr.json`;
  const bytes = await store.get(file, io);
  if (bytes === undefined) throw new NodeError(file, `no column "${name}" in the source`, { code: "missing" });
  return parseArrayMetadata(bytes, file, (c) => nodeRuntime().codecs.kind(c));
}

/**
 * What to copy from `src`, which must hold a RAT (a root group and a `RAT` group). `columns`: copy
 * only these columns; where the source cannot list and its metadata has no consolidated list of
 * columns, they must be given.
 */
export async function planCopy(src: Store, io: StoreOptions & { readonly columns?: readonly string[] | undefined }): Promise<CopyPlan> {
  const root = await src.get(ROOT_META, io);
  const rat = await src.get(RAT_META, io);
  if (root === undefined || rat === undefined) throw new NodeError("(source)", `not a RAT: ${root === undefined ? ROOT_META : RAT_META} is missing`, { code: "not-a-rat" });
  parseGroupMetadata(root, ROOT_META);
  parseGroupMetadata(rat, RAT_META);
  const canList = !(src instanceof HttpStore) || (await src.canList(io));
  const chunks: string[] = [];
  const arrays: string[] = [];
  const skipped: string[] = [];
  if (!canList) {
    const names = io.columns ?? [...new Set([...consolidatedColumns(root, ROOT_META, `${RAT_GROUP}/`), ...consolidatedColumns(rat, RAT_META, "")])];
    if (names.length === 0 && io.columns === undefined) {
      throw new RatZarrError("the source server cannot list its keys and its metadata names no columns: give them with --columns a,b", { code: "missing" });
    }
    for (const name of [...names].sort()) {
      const meta = await columnMeta(src, name, io);
      for (const k of gridKeys(meta)) chunks.push(`${RAT_GROUP}/${name}/${k}`);
      arrays.push(metadataKey(`${RAT_GROUP}/${name}`));
    }
    return { phases: [chunks, arrays, [RAT_META], [ROOT_META]], skipped, probe: true };
  }
  const byColumn = new Map<string, string[]>();
  for await (const key of src.list("", io)) {
    if (key === ROOT_META || key === RAT_META) continue;
    const parts = key.split("/");
    if (parts[0] !== RAT_GROUP || parts.length < 3) {
      skipped.push(key);
      continue;
    }
    const list = byColumn.get(parts[1]!) ?? [];
    byColumn.set(parts[1]!, list);
    list.push(key);
  }
  for (const name of io.columns ?? []) if (!byColumn.has(name)) throw new NodeError(`${RAT_GROUP}/${name}`, `no column "${name}" in the source`, { code: "missing" });
  for (const [name, keys] of [...byColumn].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (io.columns !== undefined && !io.columns.includes(name)) continue; // not asked for
    const file = `${RAT_GROUP}/${name}/zarr.json`;
    if (!keys.includes(file)) {
      skipped.push(...keys); // keys under a folder that is no array: not part of the RAT
      continue;
    }
    const meta = await columnMeta(src, name, io);
    const grid = meta.shape.map((n, i) => Math.ceil(n / meta.chunkShape[i]!));
    for (const key of keys) {
      if (key === file) continue;
      const coords = parseChunkKey(meta.chunkKeyEncoding, key.slice(name.length + RAT_GROUP.length + 2), meta.shape.length);
      if (coords === undefined || coords.some((c, i) => c >= grid[i]!)) skipped.push(key);
      else chunks.push(key);
    }
    arrays.push(file);
  }
  return { phases: [chunks.sort(), arrays, [RAT_META], [ROOT_META]], skipped: skipped.sort(), probe: false };
}

/** Options of `copyObjects`. */
export interface CopyOptions extends StoreOptions {
  /** Objects in flight at once. */
  readonly concurrency: number;
  /** Called after each key of the plan is done (copied, or absent in a probed plan), with the bytes copied so far. */
  readonly onObject?: ((done: number, bytes: number) => void) | undefined;
}

/** What `copyObjects` did: each copied key's size and digest, and the totals; `done` counts the keys finished, also when it throws. */
export interface CopyResult {
  readonly copied: Map<string, Copied>;
  bytes: number;
  done: number;
}

/**
 * Copy the keys of `plan` from `src` to `dst`, phase after phase, bytes unchanged; memory is
 * about `concurrency` objects. `result` is filled as it goes, so a caller that catches an abort
 * can say how far it got. A key listed but gone when read is an error unless the plan probes.
 */
export async function copyObjects(src: Store, dst: Store, plan: CopyPlan, options: CopyOptions, result: CopyResult): Promise<void> {
  const io = { signal: options.signal };
  for (const phase of plan.phases) {
    await mapLimit(phase, options.concurrency, async (key) => {
      options.signal?.throwIfAborted();
      const bytes = await src.get(key, io);
      if (bytes === undefined) {
        if (!plan.probe && !key.endsWith("zarr.json")) throw new NodeError(key, "listed in the source but gone when read: is another process changing it?", { code: "missing" });
        if (key.endsWith("zarr.json")) throw new MetadataError(key, undefined, "missing in the source");
      } else {
        await dst.set(key, bytes, io);
        result.copied.set(key, { size: bytes.byteLength, digest: digestOf(bytes) });
        result.bytes += bytes.byteLength;
      }
      result.done++;
      options.onObject?.(result.done, result.bytes);
    });
  }
}

/**
 * `store` with every whole-object `get` reported to `seen`: the same object otherwise (so
 * `instanceof` and a local store's folder still work), for checking what a verifier reads.
 */
export function recordingStore(store: Store, seen: (key: string, bytes: Uint8Array) => void): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === "get") {
        return async (key: string, options?: Parameters<Store["get"]>[1]) => {
          const bytes = await target.get(key, options);
          if (bytes !== undefined && options?.range === undefined) seen(key, bytes);
          return bytes;
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A difference between a copied object and its source. */
export interface CopyMismatch {
  readonly kind: "copy-missing" | "copy-size" | "copy-bytes";
  readonly key: string;
  readonly message: string;
  readonly numbers?: Readonly<Record<string, number>>;
}

/**
 * Compare each copied object with what `dst` holds now: `seen` are the objects a verifier
 * already read (so nothing is read twice); the rest are read here, `concurrency` at a time.
 */
export async function compareCopied(dst: Store, copied: ReadonlyMap<string, Copied>, seen: ReadonlyMap<string, Copied>, options: StoreOptions & { readonly concurrency: number }): Promise<CopyMismatch[]> {
  const out: CopyMismatch[] = [];
  await mapLimit([...copied.keys()].sort(), options.concurrency, async (key) => {
    const want = copied.get(key)!;
    let got = seen.get(key);
    if (got === undefined) {
      const bytes = await dst.get(key, { signal: options.signal });
      got = bytes === undefined ? undefined : { size: bytes.byteLength, digest: digestOf(bytes) };
    }
    if (got === undefined) out.push({ kind: "copy-missing", key, message: `copied (${want.size} bytes) but not in the destination now` });
    else if (got.size !== want.size) out.push({ kind: "copy-size", key, message: `${got.size} bytes in the destination, ${want.size} in the source`, numbers: { destination: got.size, source: want.size } });
    else if (got.digest !== want.digest) out.push({ kind: "copy-bytes", key, message: `same size (${got.size} bytes), different bytes (SHA-256 differs)`, numbers: { size: got.size } });
  });
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
