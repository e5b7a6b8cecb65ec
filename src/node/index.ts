/**
 * The package's entry on Node (and Deno and Bun, which resolve the "node"
 * export condition): the runtime-agnostic core of src/index.ts, whose
 * `RatZarr` here defaults to the Node runtime (`nodeRuntime()`: local paths,
 * the OS user and `process.argv`, `process.emitWarning`, native zstd).
 * Importing it changes no shared state and reads no environment.
 */
import { RatZarr as CoreRatZarr } from "../rat/rat-zarr.js";
import { ZarrArray as CoreZarrArray } from "../format/array.js";
import type { Runtime } from "../rat/runtime.js";
import type { DataType } from "../data-types.js";
import { CodecRegistry } from "../codecs/registry.js";
import { wasmZstd } from "../codecs/zstd-backend.js";
import { type NodeRuntimeOptions, optionsFromEnv } from "./env.js";
import { type ApplyBlocksOptions, type ApplyBlocksResult, applyBlocks as coreApplyBlocks, type BlockFunction, copyRat as coreCopyRat, type CopyRatOptions, type RatColumnTypes, type RatSource } from "../rat/applier/index.js";
import { nodePlatform } from "./platform.js";
import { nativeZstd } from "./zstd-native.js";
import { zlibZstd } from "./zstd-zlib.js";
import { setTimeout as nodeTimeout } from "node:timers";

export * from "../index.js";
export { FileSystemStore } from "../stores/fs.js";
export type { FileSystemStoreOptions } from "../stores/fs.js";
export { nodePlatform } from "./platform.js";
export { optionsFromEnv, partitionVariables } from "./env.js";
export type { NodeRuntimeOptions, EnvLookup } from "./env.js";

let standard: Runtime | undefined;

/**
 * The Node runtime: the Node platform and the fastest libzstd that loads: zstd-napi (native), else
 * node:zlib's (Node 22.15+), else WASM (README, "Dependencies"); `zstd` forces one. Without
 * `options`, the one made from the environment variables (src/node/env.ts) on first use; options
 * given here win over them.
 */
export function nodeRuntime(options?: NodeRuntimeOptions): Runtime {
  if (options === undefined && standard !== undefined) return standard;
  const o = { ...optionsFromEnv(), ...options };
  const threads = { workers: o.zstdWorkers, queueDepth: o.zstdQueueDepth, frameThreads: o.zstdFrameThreads };
  const forced = { native: () => nativeZstd(threads), zlib: () => zlibZstd(threads), wasm: wasmZstd } as const;
  // Measured on Node 22 and 24 (README, "Dependencies"): per chunk zstd-napi and node:zlib tie, but whole
  // RAT writes and reads run 10-30% faster on zstd-napi; both ~2x WASM. The registry falls back to WASM.
  const zstd = o.zstd === undefined ? () => nativeZstd(threads).catch(() => zlibZstd(threads)) : forced[o.zstd];
  // Scratch buffers dropped when idle by a timer that never holds the process open (Deno too), and
  // shared, so that zstd-napi's worker threads read a chunk's bytes in place (src/codecs/scratch.ts).
  const scratch = { setTimer: (fn: () => void, ms: number) => void nodeTimeout(fn, ms).unref(), shared: true };
  const runtime: Runtime = { platform: nodePlatform, codecs: new CodecRegistry(zstd, scratch) };
  if (options === undefined) standard = runtime;
  return runtime;
}

/** `ZarrArray` on Node: the Node runtime's codecs (native zstd) unless `codecs` is given. */
export class ZarrArray<D extends DataType = DataType> extends CoreZarrArray<D> {
  protected static override defaultCodecs(): CodecRegistry {
    return nodeRuntime().codecs;
  }
}

/** `RatZarr` on Node: local paths and `file://` URLs work, and `s3://` ones load the S3 store. */
export class RatZarr extends CoreRatZarr {
  protected static override defaultRuntime(): Runtime {
    return nodeRuntime();
  }
}

/** `applyBlocks` on Node: RATs given as paths open with the Node runtime (local paths, s3://) unless `open.runtime` is given. */
export function applyBlocks<I extends RatColumnTypes = RatColumnTypes, O extends RatColumnTypes = RatColumnTypes>(fn: BlockFunction<I, O>, options: ApplyBlocksOptions = {}): Promise<ApplyBlocksResult> {
  return coreApplyBlocks(fn, { ...options, open: { runtime: nodeRuntime(), ...options.open } });
}

/** `copyRat` on Node: paths open with the Node runtime unless `open.runtime` is given. */
export function copyRat(src: RatSource, dst: RatSource, options: CopyRatOptions = {}): Promise<ApplyBlocksResult | undefined> {
  return coreCopyRat(src, dst, { ...options, open: { runtime: nodeRuntime(), ...options.open } });
}
