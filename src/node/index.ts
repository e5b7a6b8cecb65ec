/**
 * The package's entry on Node (and Deno and Bun, which resolve the "node"
 * export condition): the runtime-agnostic core of src/index.ts, whose
 * `RatZarr` here defaults to the Node runtime (`nodeRuntime()`: local paths,
 * the OS user and `process.argv`, `process.emitWarning`, native zstd).
 * Importing it changes no shared state and reads no environment.
 */
import { RatZarr as CoreRatZarr } from "../rat/rat-zarr.js";
import type { Runtime } from "../rat/runtime.js";
import { setZstdBackend } from "../codecs/zstd-backend.js";
import { type NodeRuntimeOptions, optionsFromEnv } from "./env.js";
import { nodePlatform } from "./platform.js";
import { nativeZstd } from "./zstd-native.js";

export * from "../index.js";
export { FileSystemStore } from "../stores/fs.js";
export type { FileSystemStoreOptions } from "../stores/fs.js";
export { nodePlatform } from "./platform.js";
export { optionsFromEnv } from "./env.js";
export type { NodeRuntimeOptions, EnvLookup } from "./env.js";

let standard: Runtime | undefined;

/**
 * The Node runtime: the Node platform and native zstd. Without `options`, the one made from
 * the environment variables (src/node/env.ts) on first use; options given here win over them.
 */
export function nodeRuntime(options?: NodeRuntimeOptions): Runtime {
  if (options === undefined && standard !== undefined) return standard;
  const o = { ...optionsFromEnv(), ...options };
  // Native libzstd when the optional dependency built (the WASM one otherwise), unless asked for WASM.
  if (o.zstd !== "wasm") setZstdBackend(() => nativeZstd({ workers: o.zstdWorkers, queueDepth: o.zstdQueueDepth }));
  const runtime: Runtime = { platform: nodePlatform };
  if (options === undefined) standard = runtime;
  return runtime;
}

/** `RatZarr` on Node: local paths and `file://` URLs work, and `s3://` ones load the S3 store. */
export class RatZarr extends CoreRatZarr {
  protected static override defaultRuntime(): Runtime {
    return nodeRuntime();
  }
}
