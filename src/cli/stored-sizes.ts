/**
 * The stored size of keys, where a store can tell it without reading them.
 * The `Store` interface has no size call, so this asks the one store that
 * can answer cheaply: a local folder (`FileSystemStore`, one `stat` per key).
 * S3 and HTTP stores give undefined: `info` then leaves sizes out and says so.
 */
import { stat } from "node:fs/promises";
import type { Store, StoreOptions } from "../stores/store.js";
import { FileSystemStore } from "../stores/fs.js";
import { mapLimit } from "../format/concurrency.js";

/** The size in bytes of each key, in order; undefined when the store cannot tell them cheaply. */
export async function storedSizes(store: Store, keys: readonly string[], options: StoreOptions): Promise<number[] | undefined> {
  if (!(store instanceof FileSystemStore)) return undefined;
  return mapLimit(keys, 64, async (key) => {
    options.signal?.throwIfAborted();
    // A key listed a moment ago and gone now (another writer deleted it) counts as nothing.
    return (await stat(store.path(key)).catch(() => undefined))?.size ?? 0;
  });
}
