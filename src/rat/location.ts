/**
 * Where a RAT lives: a store plus the two questions a store alone cannot
 * answer the way users mean them, "is anything at this path?" and "remove
 * everything there". Paths are resolved here: local paths and `file://` URLs
 * through the platform, `http://` and `https://` URLs on `fetch` (every
 * runtime, read-only), a ready `Store` as it is.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import { deleteAll } from "../stores/store.js";
import { RatZarrError } from "../errors.js";
import { HttpStore, type HttpStoreOptions } from "../stores/http.js";
import type { Platform } from "./platform.js";

/** A RAT's store and how to test for and remove what is at its path. */
export interface RatLocation {
  readonly store: Store;
  /** The path or URL, for messages. */
  readonly description: string;
  /** True when anything exists at exactly this path (`rat.zarr` never matches `rat.zarr2`). */
  exists(options?: StoreOptions): Promise<boolean>;
  /** Remove everything at this path. */
  removeAll(options?: StoreOptions): Promise<void>;
  /** Release what opening the location took (an S3 client's connections); absent when there is nothing to release. */
  close?(): void;
}

/** A location for a store the caller made: it exists when it holds any key. */
export function storeLocation(store: Store, description = "(store)"): RatLocation {
  return {
    store,
    description,
    async exists(options) {
      for await (const key of store.list("", options)) {
        void key;
        return true;
      }
      return false;
    },
    removeAll: (options) => deleteAll(store, "", options),
  };
}

/**
 * An `http(s)://` URL as a read-only location. Whether anything is there is decided by the root
 * `zarr.json` alone (one ranged GET): an HTTP server need not be able to list.
 */
export function httpLocation(url: string, options: HttpStoreOptions = {}): RatLocation {
  const store = new HttpStore(url, options);
  return {
    store,
    description: url,
    exists: async (o) => (await store.get("zarr.json", { ...o, range: { offset: 0, length: 1 } })) !== undefined,
    removeAll: (o) => store.deleteDir("", o),
  };
}

/** True for an `http://` or `https://` URL: a location that is always read-only. */
export function isHttpUrl(path: string | Store): path is string {
  return typeof path === "string" && /^https?:\/\//i.test(path);
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** What `platform` can open, for messages: a web platform has neither local paths nor s3:// URLs. */
function openable(platform: Platform): string {
  const kinds = [...(platform.openLocal ? ["local paths", "file:// URLs"] : []), ...(platform.openUrl ? ["s3:// URLs"] : []), "http(s):// URLs", "a store"];
  return `the ${platform.name} platform opens ${kinds.slice(0, -1).join(", ")}${kinds.length > 1 ? " or " : ""}${kinds.at(-1)!}`;
}

/** Resolve a path, URL or store to a location; `http` are the store options of an `http(s)://` URL (always read-only). */
export async function resolveLocation(path: string | Store, platform: Platform, options: { readonly readOnly: boolean; readonly http?: HttpStoreOptions | undefined; readonly [key: string]: unknown }): Promise<RatLocation> {
  if (typeof path !== "string") return storeLocation(path);
  if (path === "") throw new RatZarrError("a RAT path must not be empty");
  const scheme = SCHEME.exec(path)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") return httpLocation(path, options.http);
  if (scheme !== undefined && scheme !== "file") {
    const openUrl = platform.openUrl;
    if (scheme !== "s3") throw new RatZarrError(`"${path}": unsupported scheme "${scheme}://" (${openable(platform)})`);
    if (openUrl === undefined) throw new RatZarrError(`"${path}": s3:// paths need the Node entry of ratzarr on the ${platform.name} platform; elsewhere pass a store (new S3Store(...) from "ratzarr/s3")`);
    return openUrl(path, scheme, options);
  }
  const open = platform.openLocal;
  if (open === undefined) throw new RatZarrError(`"${path}": local paths need a filesystem, which the ${platform.name} platform does not have; pass a store`);
  return open(path, options);
}
