/**
 * The per-thread work of bench/floor.ts: bare libzstd (zstd-napi's binding,
 * long-lived contexts, as ratzarr stores a float64 chunk by default: level 3,
 * no checksum, content size in the frame) plus one plain file per chunk.
 *
 * Plain CommonJS so that the same code runs on the main thread (required by
 * floor.ts) and as the worker thread's script, without a TypeScript loader.
 * Independent of the library on purpose: nothing here comes from src/.
 *
 * Both threads take chunk indices from one shared counter (Atomics.add), so
 * whichever thread is free takes the next chunk and both stay busy.
 *
 * As a worker thread it answers { op: "warm" | "write" | "read", job } with
 * { op: "chunk", index, buffer } for each chunk it read (transferred), then
 * { op: "done" } or { op: "error", message }.
 */
"use strict";
const { isMainThread, parentPort, workerData } = require("node:worker_threads");
const { readFile, writeFile } = require("node:fs/promises");
const { join } = require("node:path");

/** ratzarr's default zstd: level 0 in the metadata, which is libzstd's default level 3. */
const LEVEL = 3;

/** Compressed chunks a thread may have waiting on their file write before it compresses the next. */
const WRITES_IN_FLIGHT = 2;

/** Chunk `i`'s file: the library writes a 1-d column's chunks to `.../c/<i>`. */
const chunkPath = (dir, i) => join(dir, "c", String(i));

/**
 * Long-lived contexts and compression buffers of one thread.
 * @param {any} binding zstd-napi/binding
 * @param {number} chunkBytes uncompressed bytes of a full chunk
 */
function createFloorEngine(binding, chunkBytes) {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, LEVEL);
  cctx.setParameter(binding.CParameter.checksumFlag, 0);
  cctx.setParameter(binding.CParameter.contentSizeFlag, 1);
  const dctx = new binding.DCtx();
  const bound = binding.compressBound(chunkBytes);
  // One output buffer per write in flight, made once: nothing is copied or allocated per chunk.
  const slots = Array.from({ length: WRITES_IN_FLIGHT }, () => ({ buffer: new Uint8Array(bound), pending: null }));
  return { cctx, dctx, slots };
}

/** The rows [start, stop) of chunk `i`. */
function chunkRange(job, i) {
  const start = i * job.chunk;
  return [start, Math.min(job.rows, start + job.chunk)];
}

/**
 * Compress chunks taken from the shared counter and write each to its own file,
 * until the counter passes the last chunk. The column is `job.data` (a
 * SharedArrayBuffer of float64, little-endian as on every platform Node runs on).
 */
async function writeShare(engine, job) {
  const counter = new Int32Array(job.counter);
  const sizes = new Int32Array(job.sizes);
  const bytes = new Uint8Array(job.data);
  let k = 0;
  for (;;) {
    const i = Atomics.add(counter, 0, 1);
    if (i >= job.chunks) break;
    const [start, stop] = chunkRange(job, i);
    const slot = engine.slots[k++ % engine.slots.length];
    if (slot.pending !== null) await slot.pending;
    const n = engine.cctx.compress2(slot.buffer, bytes.subarray(start * 8, stop * 8));
    sizes[i] = n;
    slot.pending = writeFile(chunkPath(job.dir, i), slot.buffer.subarray(0, n));
  }
  await Promise.all(engine.slots.map((s) => s.pending));
  for (const s of engine.slots) s.pending = null;
}

/**
 * Read chunks taken from the shared counter, each into a new Float64Array
 * given to `deliver(index, array)`; the next file's read is started before
 * the current chunk is decompressed.
 */
async function readShare(engine, job, deliver) {
  const counter = new Int32Array(job.counter);
  const claim = () => {
    const i = Atomics.add(counter, 0, 1);
    if (i >= job.chunks) return null;
    const read = readFile(chunkPath(job.dir, i));
    read.catch(() => undefined); // awaited below; no unhandled rejection while it waits
    return { i, read };
  };
  let current = claim();
  while (current !== null) {
    const next = claim();
    const frame = await current.read;
    const [start, stop] = chunkRange(job, current.i);
    const out = new Float64Array(stop - start);
    const n = engine.dctx.decompress(new Uint8Array(out.buffer), frame);
    if (n !== out.byteLength) throw new Error(`chunk ${current.i}: decoded ${n} bytes, expected ${out.byteLength}`);
    deliver(current.i, out);
    current = next;
  }
}

/** One compress and decompress of the first chunk, so contexts and buffers are set up before any clock. */
function warm(engine, job) {
  const [start, stop] = chunkRange(job, 0);
  const input = new Uint8Array(job.data, start * 8, (stop - start) * 8);
  for (const slot of engine.slots) {
    const n = engine.cctx.compress2(slot.buffer, input);
    engine.dctx.decompress(new Uint8Array(input.byteLength), slot.buffer.subarray(0, n));
  }
}

if (!isMainThread && workerData && workerData.ratzarrFloor) {
  const engine = createFloorEngine(require(workerData.binding), workerData.chunkBytes);
  parentPort.on("message", async (m) => {
    try {
      if (m.op === "warm") warm(engine, m.job);
      else if (m.op === "write") await writeShare(engine, m.job);
      else if (m.op === "read") {
        await readShare(engine, m.job, (index, out) => parentPort.postMessage({ op: "chunk", index, buffer: out.buffer }, [out.buffer]));
      } else throw new Error(`unknown op ${m.op}`);
      parentPort.postMessage({ op: "done" });
    } catch (e) {
      parentPort.postMessage({ op: "error", message: String((e && e.stack) || e) });
    }
  });
}

module.exports = { createFloorEngine, writeShare, readShare, warm, chunkPath };
