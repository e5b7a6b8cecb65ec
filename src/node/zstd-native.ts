/**
 * Native libzstd for Node through the optional dependency `zstd-napi`
 * (Node 20 has no zstd in node:zlib; it arrives in 22.15), 2-4x faster than
 * the WASM build here (README, "Performance"). Chunks of 256 KiB and more that
 * nobody waits on alone (`offload`: read-ahead, write-behind, one of several
 * chunks of a block) are compressed and decompressed on a small pool of worker
 * threads (one per core but the main thread's), so they use every core while the main thread goes
 * on. A chunk a caller waits on alone, and small ones, are done in place: the
 * copy and the message would cost more than they save.
 *
 * The options (`workers`, `queueDepth`) come from `nodeRuntime()`, which also
 * reads their environment variables (src/node/env.ts); nothing here reads the
 * environment.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ZstdBackend } from "../codecs/zstd-backend.js";
import type { ScratchLease, SharedScratch } from "../codecs/scratch.js";

/** Inputs (compress) and outputs (decompress) smaller than this are done on the calling thread. */
export const WORKER_THRESHOLD = 256 * 1024;

/** Jobs a worker may hold (one running, the rest queued) before the calling thread does the next itself, by default. */
export const QUEUE_DEPTH = 2;

/** How the native backend uses threads. */
export interface NativeZstdOptions {
  /** Worker threads at most (0: none, every chunk on the calling thread). Default: one per core less the main thread's, 1 to 4. */
  readonly workers?: number | undefined;
  /** Jobs a worker holds before the calling thread does the next one itself. Default 2. */
  readonly queueDepth?: number | undefined;
  /**
   * libzstd threads for one chunk of 1 MiB or more that a caller waits on alone (a write of one
   * aligned block with nothing else in flight): split into 1 MiB jobs (4 MiB from 16 MiB),
   * still one standard frame. 0: none. Default: only chunks that split well (`Schedule.splits`: strings) of 4 MiB
   * or more, on `splitFrameThreads()` threads (in 4 MiB jobs from 16 MiB).
   */
  readonly frameThreads?: number | undefined;
}

/**
 * libzstd threads by default for one awaited string chunk of 4 MiB or more: one per core, at
 * most 4. Measured (README, "Performance"): strings written 1.17x (short) and 1.2x (long)
 * faster with 2; float64 chunks (the benchmark's data repeats at long distances) were slower
 * and larger at 4, 8 and 20 MB, so numbers stay on one thread unless `frameThreads` says so.
 */
export function splitFrameThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

interface Engine {
  compress(data: Uint8Array, level: number, checksum: boolean, alone?: boolean, splits?: boolean): Uint8Array;
  decompress(frame: Uint8Array, size: number | undefined, needed?: number, out?: Uint8Array): Uint8Array;
}

interface Job {
  resolve(out: Uint8Array): void;
  reject(e: Error): void;
  /** The shared scratch buffer the worker reads the input in, if it does. */
  shared: SharedScratch | undefined;
}

interface Reply {
  id: number;
  buffer?: ArrayBuffer;
  length?: number;
  error?: string;
}

/**
 * One worker thread: its jobs awaiting a reply, and how many it has been sent and has finished.
 * The worker counts its finished jobs in shared memory as it posts each reply, so this thread
 * sees a worker free at once, even while it is busy and the replies wait in its event queue
 * (300 reads at once: without it the worker sat idle while this thread decoded nearly all).
 */
interface Slot {
  readonly worker: Worker;
  readonly jobs: Map<number, Job>;
  sent: number;
  readonly finished: Int32Array;
}

/** Jobs a worker holds now: sent to it and not yet finished there. */
const holding = (slot: Slot): number => slot.sent - Atomics.load(slot.finished, 0);

/** Worker threads running zstd-engine.cjs; each job goes to the worker with the fewest in flight. */
class ZstdWorkerPool {
  private readonly workers: Slot[] = [];
  private nextId = 0;

  constructor(private readonly size: number, private readonly queueDepth: number, private readonly script: URL, private readonly data: object) {}

  run(message: { op: "compress" | "decompress"; input: Uint8Array; level?: number; checksum?: boolean; size?: number | undefined; needed?: number | undefined; detachable?: boolean | undefined; lease?: ScratchLease | undefined }): Promise<Uint8Array> {
    const { input } = message;
    const length = input.byteLength;
    const slot = this.pick();
    const id = this.nextId++;
    const seq = ++slot.sent;
    // What the worker reads: all of a buffer its owner gave up (`detachable`), transferred; a
    // shared scratch buffer (the lease's), read in place and back to the pool once the worker
    // has counted this job finished; else a copy, transferred (the input may be the caller's
    // array or a store's buffer). new Uint8Array(view) always copies; a Node Buffer's slice()
    // would be a view of its pool, which the transfer would detach.
    const whole = message.detachable === true && input.byteOffset === 0 && input.buffer instanceof ArrayBuffer && input.byteLength === input.buffer.byteLength;
    const shared = whole ? undefined : message.lease?.share(input, () => Atomics.load(slot.finished, 0) >= seq);
    const moved = shared === undefined ? ((whole ? input : new Uint8Array(input)).buffer as ArrayBuffer) : undefined;
    // Copied: a lent scratch input can go back to its pool now, for the next chunk to reuse while
    // this one compresses (with write-behind several 100 MB string chunks are in flight at once).
    if (!whole && shared === undefined) message.lease?.release();
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject, shared });
      if (slot.jobs.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, op: message.op, buffer: shared?.buffer ?? moved, length, level: message.level, checksum: message.checksum, size: message.size, needed: message.needed }, moved === undefined ? [] : [moved]);
    });
  }

  /** Every worker there may be already holds `queueDepth` jobs: the caller should do the next one itself. */
  get saturated(): boolean {
    return this.workers.length >= this.size && this.workers.every((w) => holding(w) >= this.queueDepth);
  }

  private pick(): Slot {
    let best = this.workers[0];
    for (const w of this.workers) if (holding(w) < holding(best!)) best = w;
    if (best !== undefined && (holding(best) === 0 || this.workers.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): Slot {
    const finished = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(this.script, { workerData: { ...this.data, finished: finished.buffer } });
    const slot: Slot = { worker, jobs: new Map<number, Job>(), sent: 0, finished };
    this.workers.push(slot);
    worker.unref();
    worker.on("message", (m: Reply) => {
      const job = slot.jobs.get(m.id);
      if (job === undefined) return;
      slot.jobs.delete(m.id);
      if (slot.jobs.size === 0) worker.unref();
      job.shared?.done();
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve(new Uint8Array(m.buffer!, 0, m.length!));
    });
    const fail = (e: Error) => {
      const i = this.workers.indexOf(slot);
      if (i >= 0) this.workers.splice(i, 1);
      for (const job of slot.jobs.values()) {
        job.shared?.done();
        job.reject(new Error(`zstd worker thread failed: ${e.message}`, { cause: e }));
      }
      slot.jobs.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exited with code ${code}`)));
    return slot;
  }
}

/**
 * How many worker threads by default: one per core less the main thread's (at least 1, at most 4).
 * Measured on 2 cores (README, "Performance"): a second worker made the tight write-behind
 * write 1.72x instead of ~1.4x in one run, but cost ~70 MB of peak RSS.
 */
function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 4));
}

/** The native backend, or a rejected promise when zstd-napi is not installed or did not build. */
export async function nativeZstd(options: NativeZstdOptions = {}): Promise<ZstdBackend> {
  const require = createRequire(import.meta.url);
  const paths = { binding: require.resolve("zstd-napi/binding"), main: require.resolve("zstd-napi") };
  const { createEngine } = require("./zstd-engine.cjs") as { createEngine(binding: unknown, main: unknown, frameThreads?: number, splitThreads?: number): Engine };
  const frameThreads = options.frameThreads ?? 0;
  const splitThreads = options.frameThreads ?? splitFrameThreads();
  const engine = createEngine(require(paths.binding), require(paths.main), frameThreads, splitThreads);
  const size = options.workers ?? defaultPoolSize();
  const pool = size > 0 ? new ZstdWorkerPool(size, options.queueDepth ?? QUEUE_DEPTH, new URL("./zstd-engine.cjs", import.meta.url), { ratzarrZstd: true, ...paths }) : undefined;
  return {
    name: `native (zstd-napi${pool === undefined ? "" : `, ${size} worker thread${size === 1 ? "" : "s"}`}${frameThreads > 0 ? `, ${frameThreads} libzstd threads per awaited chunk` : splitThreads > 0 ? `, ${splitThreads} libzstd threads per awaited string chunk of 4 MiB or more` : ""})`,
    writesChecksums: true,
    // When every worker is busy, this thread does the chunk itself rather than queue it: both cores work.
    compress: (data, { level, checksum, schedule, lease }) =>
      schedule?.offload === true && pool !== undefined && data.byteLength >= WORKER_THRESHOLD && !pool.saturated ? pool.run({ op: "compress", input: data, level, checksum, detachable: schedule.detachable, lease }) : engine.compress(data, level, checksum, schedule?.offload !== true, schedule?.splits === true),
    stopsEarly: true,
    decompress: (frame, { size, needed, schedule, into }) =>
      schedule?.offload === true && pool !== undefined && size !== undefined && Math.min(size, needed ?? size) >= WORKER_THRESHOLD && !pool.saturated
        ? pool.run({ op: "decompress", input: frame, size, needed })
        : engine.decompress(frame, size, needed, size === undefined ? undefined : into?.bytes(Math.min(size, needed ?? size))),
  };
}
