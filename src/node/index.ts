/**
 * The package's entry on Node (and Deno and Bun, which resolve the "node"
 * export condition): the runtime-agnostic core of src/index.ts, whose
 * `RatZarr` here defaults to the Node runtime (`nodeRuntime()`: local paths,
 * the OS user and `process.argv`, `process.emitWarning`). Importing it
 * changes no shared state.
 */
import { RatZarr as CoreRatZarr } from "../rat/rat-zarr.js";
import type { Runtime } from "../rat/runtime.js";
import { setZstdBackend } from "../codecs/zstd-backend.js";
import { nodePlatform } from "./platform.js";
import { nativeZstd } from "./zstd-native.js";

export * from "../index.js";
export { FileSystemStore } from "../stores/fs.js";
export type { FileSystemStoreOptions } from "../stores/fs.js";
export { nodePlatform } from "./platform.js";

let runtime: Runtime | undefined;

/** The Node runtime: the Node platform (local paths, OS user, `process.argv`, `process.emitWarning`). Made on first use. */
export function nodeRuntime(): Runtime {
  if (runtime === undefined) {
    // Native libzstd when the optional dependency built; the WASM one otherwise.
    setZstdBackend(nativeZstd);
    runtime = { platform: nodePlatform };
  }
  return runtime;
}

/** `RatZarr` on Node: local paths and `file://` URLs work, and `s3://` ones load the S3 store. */
export class RatZarr extends CoreRatZarr {
  protected static override defaultRuntime(): Runtime {
    return nodeRuntime();
  }
}
