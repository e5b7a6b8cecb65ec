/**
 * The floor of issue 15's target: "Within 1.3x of the floor (bare zstd on
 * both cores plus the same file or object writes, measured by a bench
 * script) for aligned float64 reads and write-behind writes."
 *
 *   node --import tsx bench/floor.ts [--rows N] [--chunk C] [--repeat R]
 *
 * On local disk, in a fresh temp folder, one float64 column of --rows rows
 * (default 20,000,000) in chunks of --chunk rows (default 500,000), the
 * values of bench/bench-data.ts:
 *
 * - floor write: each chunk's bytes (little-endian float64) compressed as
 *   ratzarr stores them by default (zstd level 0 = libzstd's 3, no checksum,
 *   content size in the frame: src/format/metadata.ts defaultCodecs,
 *   src/codecs/zstd.ts) with libzstd through zstd-napi's binding and
 *   long-lived contexts, the library's native backend, then written to its
 *   own file `c/<i>` with one fs.promises.writeFile (no temp file and rename).
 *   The column is made before the clock, in a SharedArrayBuffer; the clock
 *   runs from the first chunk to the last file written.
 * - floor read: each file read with fs.promises.readFile (the next one's read
 *   started before the current chunk is decompressed) and decompressed into a
 *   new Float64Array handed to the main thread, which checks three rows of it
 *   and drops it, as the library's tight read drops its blocks. After the
 *   rounds, untimed, every value is checked, and a few against the generator.
 * - both on two cores (the main thread and one worker thread, taking chunks
 *   from one shared counter so both stay busy) and on one (the main thread).
 *
 * Why this is the floor: it is the work any Zarr v3 writer or reader of this
 * column must do (the same codec with the same library, the same files) with
 * nothing else: no metadata, no cache, no copies between threads on the
 * write side (both threads read the one shared column), no temp file and
 * rename, no API. bench/floor_worker.cjs holds the per-thread work, shared by
 * both threads, and uses nothing of src/.
 *
 * In the same run, alternating with the floor, the library does the same
 * through its public API: bench/ratzarr_bench.ts as a child process (with
 * --repeat 1 per round), once with default options (read-ahead 2) and once
 * with --write-behind 4; its tight measures (blocks made before the clock,
 * no caller work) are compared. Best of --repeat rounds (default 3) for each.
 * zarr-python 3.1.6 (bench/zarr_python_bench.py, .venv) runs in each round
 * too: its time over the floor's is the most any library could be ahead of
 * it on this machine.
 * The table gives MB/s (10^6 uncompressed bytes a second) and the ratios
 * ratzarr / floor (2 cores) for the aligned read with default options and the
 * write-behind write, target <= 1.3x; the results go to
 * bench/results/floor-<ISO time>.json.
 *
 * Each measure is short (0.1-0.4 s at the defaults): on a busy machine, take
 * a larger --repeat.
 */
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { blockValues } from "./bench-data.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "20000000" },
    chunk: { type: "string", default: "500000" },
    repeat: { type: "string", default: "3" },
  },
});
const rows = Number(values.rows), chunk = Number(values.chunk), repeat = Number(values.repeat);
if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(chunk) && chunk > 0 && Number.isInteger(repeat) && repeat > 0)) {
  throw new Error("--rows, --chunk and --repeat must be positive integers");
}
const chunks = Math.ceil(rows / chunk);
const bytes = rows * 8;

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const repoDir = fileURLToPath(new URL("..", import.meta.url));

// ---- the per-thread work (bench/floor_worker.cjs), on this thread and one worker ----

interface Job {
  dir: string;
  data: SharedArrayBuffer;
  counter: SharedArrayBuffer;
  sizes: SharedArrayBuffer;
  rows: number;
  chunk: number;
  chunks: number;
}
interface FloorEngine {
  readonly __engine: unique symbol;
}
interface FloorModule {
  createFloorEngine(binding: unknown, chunkBytes: number): FloorEngine;
  writeShare(engine: FloorEngine, job: Job): Promise<void>;
  readShare(engine: FloorEngine, job: Job, deliver: (index: number, out: Float64Array) => void): Promise<void>;
  warm(engine: FloorEngine, job: Job): void;
}
type WorkerReply = { op: "chunk"; index: number; buffer: ArrayBuffer } | { op: "done" } | { op: "error"; message: string };

const require = createRequire(import.meta.url);
const bindingPath = require.resolve("zstd-napi/binding");
const floorScript = join(benchDir, "floor_worker.cjs");
const floor = require(floorScript) as FloorModule;
const engine = floor.createFloorEngine(require(bindingPath), chunk * 8);
const worker = new Worker(floorScript, { workerData: { ratzarrFloor: true, binding: bindingPath, chunkBytes: chunk * 8 } });
worker.on("error", (e) => { throw e; });

/** Run `op` on the worker; `onChunk` receives each chunk it reads. */
function onWorker(op: "warm" | "write" | "read", job: Job, onChunk?: (index: number, out: Float64Array) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const listen = (m: WorkerReply) => {
      if (m.op === "chunk") return onChunk?.(m.index, new Float64Array(m.buffer));
      worker.off("message", listen);
      if (m.op === "done") resolve();
      else reject(new Error(`floor worker: ${m.message}`));
    };
    worker.on("message", listen);
    worker.postMessage({ op, job });
  });
}

// ---- the column, made once before any clock ----

const dir = await mkdtemp(join(tmpdir(), "ratzarr-floor-"));
const floorDir = join(dir, "floor");
const data = new SharedArrayBuffer(bytes);
const column = new Float64Array(data);
for (let s = 0; s < rows; s += chunk) column.set(blockValues(s, Math.min(rows, s + chunk), "float64") as Float64Array, s);
const sizes = new SharedArrayBuffer(4 * chunks);
const job = (): Job => ({ dir: floorDir, data, counter: new SharedArrayBuffer(4), sizes, rows, chunk, chunks });

await rm(floorDir, { recursive: true, force: true });
await mkdir(join(floorDir, "c"), { recursive: true });
floor.warm(engine, job());
await onWorker("warm", job());

/** Seconds to compress and write every chunk, on both cores or on this thread alone; the old files are removed first (untimed). */
async function floorWrite(twoCores: boolean): Promise<number> {
  await rm(join(floorDir, "c"), { recursive: true, force: true });
  await mkdir(join(floorDir, "c"), { recursive: true });
  const j = job();
  const t0 = performance.now();
  await Promise.all([floor.writeShare(engine, j), twoCores ? onWorker("write", j) : undefined]);
  return (performance.now() - t0) / 1000;
}

/** Rows of chunk `i` sampled on every timed read: first, middle and last. */
const sampleRows = (start: number, stop: number) => [start, (start + stop) >> 1, stop - 1];

/**
 * Seconds to read and decompress every chunk into a new Float64Array in this thread's hands.
 * Each array's sampled rows are checked as it arrives and then it is dropped, as
 * ratzarr_bench.ts's tight read drops its blocks (`full`: kept and every value checked
 * after the clock, with a few rows straight from the generator).
 */
async function floorRead(twoCores: boolean, full = false): Promise<number> {
  const got: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(chunks);
  let seen = 0;
  const deliver = (i: number, out: Float64Array) => {
    const start = i * chunk, stop = Math.min(rows, start + chunk);
    if (out.length !== stop - start) throw new Error(`floor read: chunk ${i} has ${out.length} values, wrote ${stop - start}`);
    for (const r of sampleRows(start, stop)) {
      if (out[r - start] !== column[r]) throw new Error(`floor read: row ${r} is ${out[r - start]}, wrote ${column[r]}`);
    }
    seen++;
    if (full) got[i] = out;
  };
  const j = job();
  const t0 = performance.now();
  await Promise.all([floor.readShare(engine, j, deliver), twoCores ? onWorker("read", j, deliver) : undefined]);
  const elapsed = (performance.now() - t0) / 1000;
  if (seen !== chunks) throw new Error(`floor read: ${seen} chunks of ${chunks}`);
  for (let i = 0; full && i < chunks; i++) {
    const out = got[i]!;
    const start = i * chunk, stop = Math.min(rows, start + chunk);
    for (let r = 0; r < out.length; r++) {
      if (out[r] !== column[start + r]) throw new Error(`floor read: row ${start + r} is ${out[r]}, wrote ${column[start + r]}`);
    }
    // The shared column itself, against the generator.
    for (const r of sampleRows(start, stop)) {
      const want = (blockValues(r, r + 1, "float64") as Float64Array)[0];
      if (out[r - start] !== want) throw new Error(`floor read: row ${r} is ${out[r - start]}, the generator gives ${want}`);
    }
  }
  return elapsed;
}

// ---- the library, through bench/ratzarr_bench.ts ----

interface LibraryResult {
  write_s: number;
  read_s: number;
  write_tight_s: number;
  read_tight_s: number;
  bytes: number;
  peak_rss_mb: number;
  [key: string]: unknown;
}

/** Bytes of every file under `path` (the chunk files of a column: `.../c/<i>`). */
async function chunkBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && basename(entry.parentPath) === "c") total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function library(writeBehind: boolean): Promise<LibraryResult & { chunk_bytes: number }> {
  const path = join(dir, writeBehind ? "rz-write-behind.zarr" : "rz-default.zarr");
  await rm(path, { recursive: true, force: true });
  const args = ["--import", "tsx", join(benchDir, "ratzarr_bench.ts"), "--path", path, "--rows", String(rows), "--chunk", String(chunk), "--block", String(chunk), "--dtype", "float64", "--repeat", "1"];
  if (writeBehind) args.push("--write-behind", "4");
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: repoDir, maxBuffer: 1 << 24 });
  const line = stdout.trim().split("\n").pop() ?? "";
  const result = JSON.parse(line) as LibraryResult;
  if (typeof result.write_tight_s !== "number" || typeof result.read_tight_s !== "number") throw new Error(`ratzarr_bench.ts gave no tight measures: ${line}`);
  const size = await chunkBytes(path);
  await rm(path, { recursive: true, force: true });
  return { ...result, chunk_bytes: size };
}

/** zarr-python 3.1.6 doing the same (bench/zarr_python_bench.py, as the peer benchmark runs it): how far any library could be ahead of it here. */
async function zarrPython(): Promise<LibraryResult | undefined> {
  const python = join(repoDir, ".venv/bin/python");
  if (!existsSync(python)) return undefined;
  const path = join(dir, "zarr-python.zarr");
  await rm(path, { recursive: true, force: true });
  const args = [join(benchDir, "zarr_python_bench.py"), "--path", path, "--rows", String(rows), "--chunk", String(chunk), "--block", String(chunk), "--dtype", "float64", "--repeat", "1"];
  const { stdout } = await promisify(execFile)(python, args, { cwd: repoDir, maxBuffer: 1 << 24 });
  await rm(path, { recursive: true, force: true });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as LibraryResult;
}

// ---- rounds: floor and library alternate ----

const runs = { floor2Write: [] as number[], floor2Read: [] as number[], floor1Write: [] as number[], floor1Read: [] as number[] };
const libraryRuns: { default: (LibraryResult & { chunk_bytes: number })[]; writeBehind: (LibraryResult & { chunk_bytes: number })[] } = { default: [], writeBehind: [] };
const pythonRuns: LibraryResult[] = [];
const round4 = (x: number) => Math.round(x * 10000) / 10000;
for (let r = 0; r < repeat; r++) {
  runs.floor2Write.push(await floorWrite(true));
  runs.floor2Read.push(await floorRead(true));
  libraryRuns.default.push(await library(false));
  runs.floor1Write.push(await floorWrite(false));
  runs.floor1Read.push(await floorRead(false));
  libraryRuns.writeBehind.push(await library(true));
  const py = await zarrPython();
  if (py !== undefined) pythonRuns.push(py);
  console.error(`round ${r + 1}/${repeat}: floor 2 cores write ${runs.floor2Write[r]!.toFixed(3)} s, read ${runs.floor2Read[r]!.toFixed(3)} s; ` +
    `1 core write ${runs.floor1Write[r]!.toFixed(3)} s, read ${runs.floor1Read[r]!.toFixed(3)} s; ` +
    `ratzarr default write ${libraryRuns.default[r]!.write_tight_s} s, read ${libraryRuns.default[r]!.read_tight_s} s; ` +
    `write-behind write ${libraryRuns.writeBehind[r]!.write_tight_s} s, read ${libraryRuns.writeBehind[r]!.read_tight_s} s`);
}
const compressed = new Int32Array(sizes).reduce((s, n) => s + n, 0);
// Peak RSS of the floor runs (the column, both threads' buffers); then, untimed, every value of the
// floor's files is checked, on both cores and on one, which holds the column twice.
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
await floorRead(true, true);
await floorRead(false, true);
const peakRssCheckedMb = Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
await worker.terminate();
await rm(dir, { recursive: true, force: true });

// ---- results ----

const best = (xs: number[]) => Math.min(...xs);
const bestOf = (rs: LibraryResult[], key: "write_tight_s" | "read_tight_s") => best(rs.map((x) => x[key]));
const seconds = {
  floor_2_cores: { write: best(runs.floor2Write), read: best(runs.floor2Read) },
  floor_1_core: { write: best(runs.floor1Write), read: best(runs.floor1Read) },
  ratzarr_default: { write: bestOf(libraryRuns.default, "write_tight_s"), read: bestOf(libraryRuns.default, "read_tight_s") },
  ratzarr_write_behind: { write: bestOf(libraryRuns.writeBehind, "write_tight_s"), read: bestOf(libraryRuns.writeBehind, "read_tight_s") },
};
const ratios = {
  aligned_read_default: seconds.ratzarr_default.read / seconds.floor_2_cores.read,
  write_behind_write: seconds.ratzarr_write_behind.write / seconds.floor_2_cores.write,
};
// The most any library could be ahead of zarr-python here: its time over the floor's (tight measures).
const python = pythonRuns.length === 0 ? undefined : { write: bestOf(pythonRuns, "write_tight_s"), read: bestOf(pythonRuns, "read_tight_s") };
const ceiling = python === undefined ? undefined : {
  write_2_cores: python.write / seconds.floor_2_cores.write, read_2_cores: python.read / seconds.floor_2_cores.read,
  write_1_core: python.write / seconds.floor_1_core.write, read_1_core: python.read / seconds.floor_1_core.read,
};
const mbps = (s: number) => bytes / 1e6 / s;
const libraryChunkBytes = libraryRuns.default[libraryRuns.default.length - 1]!.chunk_bytes;

const rowsOut: [string, { write: number; read: number }][] = [
  ["floor, 2 cores", seconds.floor_2_cores],
  ["floor, 1 core", seconds.floor_1_core],
  ["ratzarr default", seconds.ratzarr_default],
  ["ratzarr write-behind 4", seconds.ratzarr_write_behind],
  ...(python === undefined ? [] : [["zarr-python 3.1.6", python] as [string, { write: number; read: number }]]),
];
console.log(`float64 column, ${rows.toLocaleString("en")} rows, chunks of ${chunk.toLocaleString("en")} (${chunks}), ${bytes / 1e6} MB; best of ${repeat}; ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
console.log(`${"".padEnd(24)}${"write MB/s".padStart(12)}${"read MB/s".padStart(12)}${"write s".padStart(10)}${"read s".padStart(10)}`);
for (const [name, s] of rowsOut) {
  console.log(`${name.padEnd(24)}${mbps(s.write).toFixed(0).padStart(12)}${mbps(s.read).toFixed(0).padStart(12)}${s.write.toFixed(3).padStart(10)}${s.read.toFixed(3).padStart(10)}`);
}
console.log(`ratzarr / floor (2 cores): aligned read, default options ${ratios.aligned_read_default.toFixed(2)}x; write-behind write ${ratios.write_behind_write.toFixed(2)}x (target <= 1.3x)`);
if (ceiling !== undefined) {
  console.log(`zarr-python / floor (the most any library can be ahead of it here): 2 cores write ${ceiling.write_2_cores.toFixed(2)}x, read ${ceiling.read_2_cores.toFixed(2)}x; 1 core write ${ceiling.write_1_core.toFixed(2)}x, read ${ceiling.read_1_core.toFixed(2)}x`);
}
console.log(`compressed: floor ${(compressed / 1e6).toFixed(1)} MB (${(compressed / bytes).toFixed(3)} of ${bytes / 1e6} MB), ratzarr chunk files ${(libraryChunkBytes / 1e6).toFixed(1)} MB (${(libraryChunkBytes / bytes).toFixed(3)})`);
console.log(`floor process peak RSS ${peakRssMb} MB (${peakRssCheckedMb} MB with the full check after); ratzarr_bench peak RSS ${Math.max(...libraryRuns.default.map((x) => x.peak_rss_mb))} MB (default), ${Math.max(...libraryRuns.writeBehind.map((x) => x.peak_rss_mb))} MB (write-behind)`);

const date = new Date().toISOString();
const out = join(benchDir, "results", `floor-${date.replace(/[:.]/g, "-")}.json`);
await writeFile(out, JSON.stringify({
  date,
  node: process.version,
  cpus: availableParallelism(),
  cpu_model: cpus()[0]?.model ?? null,
  args: { rows, chunk, repeat, chunks, bytes },
  seconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, { write: round4(v.write), read: round4(v.read) }])),
  mb_per_s: Object.fromEntries(Object.entries(seconds).map(([k, s]) => [k, { write: Math.round(mbps(s.write)), read: Math.round(mbps(s.read)) }])),
  ratios: { ...Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round4(v)])), target: 1.3 },
  zarr_python: python === undefined ? null : { seconds: { write: round4(python.write), read: round4(python.read) }, over_floor: Object.fromEntries(Object.entries(ceiling!).map(([k, v]) => [k, round4(v)])) },
  zarr_python_runs: pythonRuns,
  floor_runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map(round4)])),
  ratzarr_runs: libraryRuns,
  compressed: { floor_bytes: compressed, floor_ratio: round4(compressed / bytes), ratzarr_chunk_bytes: libraryChunkBytes, ratzarr_ratio: round4(libraryChunkBytes / bytes) },
  floor_peak_rss_mb: peakRssMb,
  floor_peak_rss_with_check_mb: peakRssCheckedMb,
}, null, 2) + "\n");
console.log(`results: ${out}`);
