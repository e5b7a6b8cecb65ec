/**
 * libzstd through zstd-napi's low-level binding, with long-lived contexts:
 * one CCtx and one DCtx, parameters set only when they change, a reused
 * output buffer for compression. 35-60% faster per 4 MB chunk than
 * zstd-napi's high-level compress/decompress, which reset their context on
 * every call (README, "Performance").
 *
 * Plain CommonJS on purpose: the same file is required by the main thread
 * (small chunks, no worker) and runs as the script of each codec worker
 * thread (zstd-native.ts), so it must load without a TypeScript loader, in
 * src/ under tsx as in dist/.
 */
"use strict";
const { isMainThread, parentPort, workerData } = require("node:worker_threads");

/** A compression output buffer above this size is not kept between calls. */
const KEEP_SCRATCH = 16 << 20;

/** Inputs from this size are compressed with libzstd's own threads when `frameThreads` > 0 and the caller waits on them alone. */
const FRAME_THREADS_FROM = 1 << 20;

/** libzstd's job size for one frame on several threads: 1 MiB (its minimum, 512 KiB, measured slower: README, "Performance"). */
const FRAME_JOB_SIZE = 1 << 20;

/** Inputs that split well (strings) from this size go to `splitThreads` of libzstd's threads when the caller waits on them alone. */
const SPLIT_FROM = 4 << 20;

/** From this size inputs on threads are split in 4 MiB jobs (100 MB of strings on 2 threads: 122-136 ms, 167-177 with 1 MiB jobs, 224-231 alone; a 20 MB float64 chunk 22.7 against 53.3 ms), below it in 1 MiB jobs. */
const LARGE_FROM = 16 << 20;
const LARGE_JOB_SIZE = 4 << 20;

/**
 * @param {any} binding zstd-napi/binding
 * @param {any} zstdNapi zstd-napi (its streaming decompress, for frames that do not say their size)
 * @param {number} [frameThreads] libzstd threads for one frame of 1 MiB or more nobody else competes with (0: none)
 * @param {number} [splitThreads] the same for frames of 4 MiB or more whose input splits well (strings; 0: none)
 */
function createEngine(binding, zstdNapi, frameThreads = 0, splitThreads = 0) {
  /** A compression context with its current level and checksum flag, set only when they change. */
  const context = (threads, jobSize) => {
    const cctx = new binding.CCtx();
    cctx.setParameter(binding.CParameter.contentSizeFlag, 1);
    if (threads > 0) {
      cctx.setParameter(binding.CParameter.nbWorkers, threads);
      cctx.setParameter(binding.CParameter.jobSize, jobSize);
    }
    return { cctx, level: NaN, checksum: null };
  };
  const single = context(0);
  /** Contexts on libzstd's threads, by thread count and job size. */
  const threaded = new Map();
  const threadedContext = (threads, jobSize) => {
    const key = `${threads}/${jobSize}`;
    let c = threaded.get(key);
    if (c === undefined) threaded.set(key, (c = context(threads, jobSize)));
    return c;
  };
  /** libzstd threads for `size` bytes (0: this thread alone): `frameThreads` for any input from 1 MiB, else `splitThreads` for inputs that split well from 4 MiB. */
  const threadsFor = (size, alone, splits) => {
    if (!alone) return 0;
    if (frameThreads > 0) return size >= FRAME_THREADS_FROM ? frameThreads : 0;
    return splits && size >= SPLIT_FROM ? splitThreads : 0;
  };
  const dctx = new binding.DCtx();
  let scratch = new Uint8Array(0);
  const engine = {
    /**
     * One frame with its content size (and a checksum when asked), in a buffer of its own.
     * `alone`: the caller waits on this chunk and nothing else runs beside it, so a large one
     * may be split among libzstd's threads (still one standard frame): with `frameThreads`, or
     * with `splitThreads` when it `splits` well (the jobs restart the match history: data that
     * repeats at long distances compresses worse and slower that way).
     */
    compress(data, lvl, sum, alone = false, splits = false) {
      const size = data.byteLength;
      const threads = threadsFor(size, alone, splits);
      const c = threads === 0 ? single : threadedContext(threads, size >= LARGE_FROM ? LARGE_JOB_SIZE : FRAME_JOB_SIZE);
      if (lvl !== c.level) {
        c.cctx.setParameter(binding.CParameter.compressionLevel, lvl);
        c.level = lvl;
      }
      if (sum !== c.checksum) {
        c.cctx.setParameter(binding.CParameter.checksumFlag, sum ? 1 : 0);
        c.checksum = sum;
      }
      const bound = binding.compressBound(data.byteLength);
      const dest = bound <= scratch.byteLength ? scratch : new Uint8Array(bound);
      if (bound <= KEEP_SCRATCH) scratch = dest;
      const n = c.cctx.compress2(dest, data);
      return dest.slice(0, n);
    },
    /**
     * The frames in `frame`; `size` is their total content size when they announce it. With
     * `needed` (one frame of known size), only its first `needed` bytes: decoding stops there.
     * `into`: where to write them (as many bytes as will be written), else a new buffer.
     */
    decompress(frame, size, needed, into) {
      if (size === undefined || size === null) {
        const out = zstdNapi.decompress(frame);
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      }
      if (needed !== undefined && needed !== null && needed < size) return decompressPrefix(frame, into || new Uint8Array(needed));
      const out = into || new Uint8Array(size);
      const n = dctx.decompress(out, frame);
      if (n !== size) throw new Error(`decoded ${n} bytes, the frame announces ${size}`);
      return out;
    },
  };

  /** Stream `frame` into `out` until it is full, then drop the rest of the frame. */
  function decompressPrefix(frame, out) {
    const needed = out.byteLength;
    let written = 0;
    let read = 0;
    try {
      while (written < needed) {
        const [left, produced, consumed] = dctx.decompressStream(out.subarray(written, needed), frame.subarray(read));
        written += produced;
        read += consumed;
        if (left === 0 || (produced === 0 && consumed === 0)) break;
      }
    } finally {
      // Mid-frame: the next call must start afresh.
      dctx.reset(binding.ResetDirective.sessionOnly);
    }
    if (written < needed) throw new Error(`the frame ends after ${written} bytes, before the first ${needed} needed`);
    return out;
  }
  return engine;
}

// As a worker thread: answer { id, op, buffer, length, level, checksum, size, needed } with { id, buffer, length } or { id, error }.
// `buffer` is the input's, transferred, or shared memory the main thread reuses once this job is counted finished.
if (!isMainThread && workerData && workerData.ratzarrZstd) {
  const engine = createEngine(require(workerData.binding), require(workerData.main));
  // Jobs finished, counted where the main thread reads it at once (zstd-native.ts, `holding`).
  const finished = workerData.finished ? new Int32Array(workerData.finished) : null;
  parentPort.on("message", (m) => {
    try {
      const input = new Uint8Array(m.buffer, 0, m.length);
      const out = m.op === "compress" ? engine.compress(input, m.level, m.checksum) : engine.decompress(input, m.size, m.needed);
      // Its own buffer, whole (the input may be shared memory the main thread reuses).
      const buffer = out.buffer !== m.buffer && out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
      parentPort.postMessage({ id: m.id, buffer, length: out.byteLength }, [buffer]);
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
    } finally {
      if (finished) Atomics.add(finished, 0, 1);
    }
  });
}

module.exports = { createEngine };
