/**
 * The RAT profile's layout in a store: the `RAT` group that holds the
 * columns, its `ROWCOUNT` and `CHUNKSIZE` attributes, and what is at a path
 * that exists (a valid RAT, one whose creation was cut short, or something
 * else, which is left untouched).
 */
import type { Store, StoreOptions } from "../stores/store.js";
import type { JsonObject } from "../codecs/codec.js";
import { MetadataError, showValue } from "../errors.js";
import { readNodeMetadata } from "../format/group.js";
import { sleep } from "../retry.js";

/** The group that holds the columns. */
export const RAT_GROUP = "RAT";
/** Default rows per chunk for new columns, as in Python ratzarr. */
export const DEFAULT_CHUNK_SIZE = 500000;


export function readIntAttribute(attrs: JsonObject, key: string, file: string, min: number): number | undefined {
  const v = attrs[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) throw new MetadataError(file, key, `expected an integer >= ${min}, found ${showValue(v)}`);
  return v;
}

/**
 * What is at a path that exists: a valid RAT; an unfinished one (a `RAT` group with its
 * row count and nothing else, no root `zarr.json`: what a creating writer leaves between
 * its two writes, for a moment or for good after a crash); or something else, left untouched.
 */
export async function ratState(store: Store, options: StoreOptions): Promise<"valid" | "unfinished" | "other"> {
  for (let i = 0; ; i++) {
    if (await isValidAt(store, options)) return "valid";
    const root = await readNodeMetadata(store, "", options).catch(() => undefined);
    // Under a root group, a RAT/zarr.json that cannot be read is a broken RAT, not something
    // else: say what is wrong with the file rather than "holds no RAT".
    const rat = await readNodeMetadata(store, RAT_GROUP, options).catch((e: unknown) => {
      if (root?.nodeType === "group" && e instanceof MetadataError) throw e;
      return undefined;
    });
    // Both groups now: the root appeared between the check above and these reads (another
    // writer finishing a new RAT): valid, not "other".
    if (root?.nodeType === "group" && rat?.nodeType === "group") return "valid";
    // A root group with no attributes and no RAT group yet: another writer (Python ratzarr
    // writes the root first) may be creating the RAT right now. A RAT group without a root:
    // this library creating one. Either way, give it a moment; anything else is not a RAT.
    const rootFirst = root?.nodeType === "group" && Object.keys(root.attributes).length === 0 && rat === undefined;
    const ratFirst = root === undefined && rat?.nodeType === "group" && rat.attributes["ROWCOUNT"] !== undefined;
    // Neither yet, and no file at the top, only folders: another writer may have made them and
    // be writing RAT/zarr.json right now (many jobs creating one RAT on local disk). Give it a
    // moment too; still nothing after that is not a RAT (an empty folder is refused, as by Python).
    const nothingYet = root === undefined && rat === undefined && (await store.listDir("", options)).keys.length === 0;
    if (!rootFirst && !ratFirst && !nothingYet) return "other";
    if (i === 4) {
      if (!ratFirst) return "other";
      const top = await store.listDir("", options);
      const under = await store.listDir(RAT_GROUP, options);
      const alone = top.keys.length === 0 && top.prefixes.length === 1 && under.keys.length === 1 && under.prefixes.length === 0;
      return alone ? "unfinished" : "other";
    }
    await sleep(50 * (i + 1), options.signal);
  }
}

export async function isValidAt(store: Store, options: StoreOptions): Promise<boolean> {
  try {
    const root = await readNodeMetadata(store, "", options);
    const rat = await readNodeMetadata(store, RAT_GROUP, options);
    return root?.nodeType === "group" && rat?.nodeType === "group";
  } catch (e) {
    if (e instanceof MetadataError) return false;
    throw e;
  }
}
