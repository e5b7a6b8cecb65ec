/**
 * The environment variables of ratzarr on Node, parsed and checked in this
 * one place, each the same as an option of `nodeRuntime()`:
 *
 *   RATZARR_ZSTD=native|zlib|wasm  zstd backend (default: native, else zlib, else wasm)  option `zstd`
 *   RATZARR_ZSTD_WORKERS=N         zstd worker threads at most (0: none)                 option `zstdWorkers`
 *   RATZARR_ZSTD_QUEUE=N           jobs a worker holds before the caller does one        option `zstdQueueDepth`
 *   RATZARR_ZSTD_FRAME_THREADS=N   libzstd threads for one awaited chunk (0: none)      option `zstdFrameThreads`
 *
 * Read when the Node runtime is first made, never on import. The S3 store reads
 * the AWS endpoint and region variables through `processEnv` too, and
 * `partitionVariables()` the job index of AWS Batch array jobs
 * (`AWS_BATCH_JOB_ARRAY_INDEX`) and Kubernetes indexed Jobs (`JOB_COMPLETION_INDEX`).
 */
import { RatZarrError } from "../errors.js";
import { PARTITION_INDEX_VARIABLES, type PartitionVariables } from "../rat/applier/partition.js";

/** How the Node runtime is set up; every field also has an environment variable. */
export interface NodeRuntimeOptions {
  /**
   * "native": libzstd through zstd-napi; "zlib": the libzstd in node:zlib (Node 22.15+); "wasm":
   * numcodecs' WASM build. Unset: the first that loads of native, zlib, wasm. A forced backend
   * that cannot load falls back to WASM (the registry's `zstd().name` says which runs).
   */
  readonly zstd?: ZstdChoice | undefined;
  /** zstd worker threads at most (0: none). */
  readonly zstdWorkers?: number | undefined;
  /** Jobs a zstd worker holds before the calling thread does the next one itself. */
  readonly zstdQueueDepth?: number | undefined;
  /** libzstd threads that compress one chunk of 1 MiB or more a caller waits on alone (native backend; 0: none). */
  readonly zstdFrameThreads?: number | undefined;
}

/** The zstd backends of the Node runtime, by the name `RATZARR_ZSTD` and the `zstd` option take. */
export const ZSTD_CHOICES = ["native", "zlib", "wasm"] as const;

/** One of `ZSTD_CHOICES`. */
export type ZstdChoice = (typeof ZSTD_CHOICES)[number];

const isZstdChoice = (s: string): s is ZstdChoice => (ZSTD_CHOICES as readonly string[]).includes(s);

/** An environment lookup: a variable's value, or undefined. */
export type EnvLookup = (name: string) => string | undefined;

/**
 * The process environment, where it may be read: Deno without `--allow-env` refuses every
 * read, which here reads as "unset" (the options of `nodeRuntime()` do the same job).
 */
export const processEnv: EnvLookup = (name) => {
  try {
    return process.env[name];
  } catch {
    return undefined;
  }
};

function integer(env: EnvLookup, name: string, min: number, max: number): number | undefined {
  const raw = env(name);
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new RatZarrError(`environment variable ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** The options the environment sets (unset variables give no field); a bad value is a `RatZarrError` naming the variable. */
export function optionsFromEnv(env: EnvLookup = processEnv): NodeRuntimeOptions {
  const zstd = env("RATZARR_ZSTD");
  if (zstd !== undefined && zstd !== "" && !isZstdChoice(zstd)) {
    throw new RatZarrError(`environment variable RATZARR_ZSTD must be "native", "zlib" or "wasm", got ${JSON.stringify(zstd)}`);
  }
  const out: { -readonly [K in keyof NodeRuntimeOptions]: NodeRuntimeOptions[K] } = {};
  if (zstd !== undefined && isZstdChoice(zstd)) out.zstd = zstd;
  const workers = integer(env, "RATZARR_ZSTD_WORKERS", 0, 64);
  if (workers !== undefined) out.zstdWorkers = workers;
  const queue = integer(env, "RATZARR_ZSTD_QUEUE", 1, 64);
  if (queue !== undefined) out.zstdQueueDepth = queue;
  const frame = integer(env, "RATZARR_ZSTD_FRAME_THREADS", 0, 16);
  if (frame !== undefined) out.zstdFrameThreads = frame;
  return out;
}

/**
 * The job index variables of AWS Batch array jobs (`AWS_BATCH_JOB_ARRAY_INDEX`) and Kubernetes
 * indexed Jobs (`JOB_COMPLETION_INDEX`), as set (unset: absent), for `partitionFromEnv`:
 * `partitionFromEnv(partitionVariables(), 8)`. Read on call, never on import.
 */
export function partitionVariables(env: EnvLookup = processEnv): PartitionVariables {
  const out: { -readonly [K in keyof PartitionVariables]: string } = {};
  for (const name of PARTITION_INDEX_VARIABLES) {
    const value = env(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
