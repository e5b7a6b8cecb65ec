/**
 * zarrita.js side of the benchmarks: write then read one RAT column block by
 * block with zarrita (0.7.5, `FileSystemStore` from @zarrita/storage), the
 * same command line, data, checks and JSON line as bench/ratzarr_bench.ts.
 *
 *   node --import tsx bench/zarrita_bench.ts --path /tmp/b.zarr --rows 20000000 --chunk 500000 --block 500000 --dtype float64 --repeat 3
 *   ... --dtype uint16 --width 3 | --dtype string-long | --mode random --reads 1000
 *
 * Layout: the root group, its "RAT" subgroup (attributes ROWCOUNT and
 * CHUNKSIZE), and the column RAT/col made with `zarr.create`: shape [rows] (or
 * [rows, width]), chunks [chunk] (or [chunk, width]), codecs bytes (little
 * endian) + zstd level 3 without checksum, fill value 0. (Level 3 is written
 * out: zarrita's zstd is numcodecs.js's WASM build, which would take zarr-
 * python's level 0 as level 1.) The column folder is removed and the array
 * recreated before every write run (not timed). Each write is
 * `zarr.set(arr, [zarr.slice(a, b)], block)`, each read
 * `zarr.get(arr, [zarr.slice(a, b)])` on an array opened afresh per run
 * (`zarr.open`); unaligned blocks make zarrita read, merge and rewrite the
 * chunk, as any Zarr writer must.
 *
 * Strings: zarrita 0.7.5 cannot encode vlen-utf8 (its encoder throws), so for
 * the string dtypes this library (RatZarr, default options; run by
 * bench/run.ts from dist/) writes the column once, untimed, as setup
 * ("writer": "ratzarr", write_runs empty; in a child process, this script
 * again with --setup-write, so the peak RSS is zarrita's reads alone) and
 * zarrita only reads it.
 *
 * Every read block (and random row) is compared with the generated data, as
 * in bench/ratzarr_bench.ts, whose data definition (the Python docstring's)
 * is implemented here a third time. Timing as there: write_s / read_s
 * ("pipeline": the caller makes or checks each block between calls, the calls
 * are timed; zarrita does no work in the background, so this differs from the
 * tight loop only by the loop) and write_tight_s / read_tight_s (blocks made
 * first, whole loop timed; numeric stream cases of at most 400 MB).
 * peak_rss_mb is taken before the tight runs. Local paths only.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";
import { type BenchDtype, type Block, blockValues, byteSize, checkRows, DTYPES, randomRows } from "./bench-data.js";

const { values } = parseArgs({
  options: {
    path: { type: "string" },
    rows: { type: "string", default: "20000000" },
    chunk: { type: "string", default: "500000" },
    block: { type: "string", default: "500000" },
    dtype: { type: "string", default: "float64" },
    width: { type: "string", default: "1" },
    mode: { type: "string", default: "stream" },
    reads: { type: "string", default: "1000" },
    seed: { type: "string", default: "12345" },
    repeat: { type: "string", default: "3" },
    s3: { type: "string" },
    "setup-write": { type: "boolean", default: false },
  },
});
const rows = Number(values.rows), chunk = Number(values.chunk), block = Number(values.block), repeat = Number(values.repeat);
const width = Number(values.width), reads = Number(values.reads), seed = Number(values.seed);
const dtype = values.dtype as BenchDtype;
if (!DTYPES.includes(dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(", ")}`);
if (values.mode !== "stream" && values.mode !== "random") throw new Error("--mode must be stream or random");
if (!values.path) throw new Error("--path is required");
if (values.s3 !== undefined || values.path.startsWith("s3://")) throw new Error("zarrita_bench: local paths only");
const path = values.path;
const isString = dtype.startsWith("string");


const store = new FileSystemStore(path);
const root = zarr.root(store);
const shape = width === 1 ? [rows] : [rows, width];
const sel = (a: number, b: number) => (width === 1 ? [zarr.slice(a, b)] : [zarr.slice(a, b), null]);
const chunkOf = (data: Float64Array | Int32Array | Uint16Array, n: number) =>
  ({ data, shape: width === 1 ? [n] : [n, width], stride: width === 1 ? [1] : [width, 1] });

const writeRuns: number[] = [];
const readRuns: number[] = [];
let bytes = 0;
let writer = "zarrita";
const stream = values.mode === "stream";
const tight = stream && !isString && rows * width * (dtype === "float64" ? 8 : dtype === "int32" ? 4 : 2) <= 400e6;

async function createColumn() {
  rmSync(join(path, "RAT", "col"), { recursive: true, force: true });
  return zarr.create(root.resolve("RAT/col"), {
    shape,
    chunkShape: width === 1 ? [chunk] : [chunk, width],
    dtype: dtype as "float64" | "int32" | "uint16",
    codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 3, checksum: false } }],
    fillValue: 0,
    attributes: { MODIFICATIONLOG: [] },
  });
}

async function writeColumn(blocks: (s: number, stop: number) => Block, blockLen: number): Promise<number> {
  const arr = await createColumn();
  let calls = 0;
  bytes = 0;
  for (let s = 0; s < rows; s += blockLen) {
    const stop = Math.min(rows, s + blockLen);
    const data = blocks(s, stop) as Float64Array | Int32Array | Uint16Array;
    bytes += data.byteLength;
    const t0 = performance.now();
    await zarr.set(arr, sel(s, stop), chunkOf(data, stop - s) as never);
    calls += performance.now() - t0;
  }
  return calls / 1000;
}

if (values["setup-write"]) {
  // The child process below: this library writes the string column, then exits.
  const { RatZarr } = await import("../src/node/index.js");
  const rz = await RatZarr.open(path, { onWarning: () => undefined });
  await rz.setChunkSize(chunk);
  await rz.setRowCount(rows);
  if (await rz.colExists("col")) await rz.deleteColumn("col");
  await rz.createColumn("col", "string", { width });
  for (let s = 0; s < rows; s += chunk) {
    const data = blockValues(s, Math.min(rows, s + chunk), dtype, width);
    bytes += byteSize(data);
    await rz.writeBlock("col", data as never, s);
  }
  await rz.close();
  console.log(JSON.stringify({ bytes }));
  process.exit(0);
}
if (isString) {
  // zarrita cannot encode vlen-utf8: this library writes the column (setup, untimed),
  // in a child process so that this one's peak RSS is zarrita's reads alone.
  writer = "ratzarr";
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), "--setup-write"], { encoding: "utf8", maxBuffer: 1 << 26 });
  bytes = (JSON.parse(out.trim().split("\n").pop()!) as { bytes: number }).bytes;
} else {
  await zarr.create(root, { attributes: {} });
  await zarr.create(root.resolve("RAT"), { attributes: { ROWCOUNT: rows, CHUNKSIZE: chunk } });
  // Random mode writes once, aligned (block = chunk); its time is setup, reported but not the case's result.
  const writeBlockLen = values.mode === "random" ? chunk : block;
  for (let r = 0; r < (values.mode === "random" ? 1 : repeat); r++) {
    writeRuns.push(await writeColumn((s, stop) => blockValues(s, stop, dtype, width), writeBlockLen));
  }
}

const openColumn = () => zarr.open(root.resolve("RAT/col"), { kind: "array" });
const rowList = values.mode === "random" ? randomRows(reads, rows, seed) : [];
for (let r = 0; r < repeat; r++) {
  const arr = await openColumn();
  let elapsed = 0;
  if (values.mode === "random") {
    for (const row of rowList) {
      const t0 = performance.now();
      const got = await zarr.get(arr, sel(row, row + 1));
      elapsed += performance.now() - t0;
      checkRows(got.data as ArrayLike<unknown>, row, row + 1, dtype, width);
    }
  } else {
    for (let s = 0; s < rows; s += block) {
      const stop = Math.min(rows, s + block);
      const t0 = performance.now();
      const got = await zarr.get(arr, sel(s, stop));
      elapsed += performance.now() - t0;
      checkRows(got.data as ArrayLike<unknown>, s, stop, dtype, width);
    }
  }
  readRuns.push(elapsed / 1000);
}
const peakRss = process.resourceUsage().maxRSS;

const writeTight: number[] = [];
const readTight: number[] = [];
if (tight) {
  const made = new Map<number, Block>();
  for (let s = 0; s < rows; s += block) made.set(s, blockValues(s, Math.min(rows, s + block), dtype, width));
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await writeColumn((s) => made.get(s)!, block);
    writeTight.push((performance.now() - t0) / 1000);
  }
  made.clear();
  for (let r = 0; r < repeat; r++) {
    const arr = await openColumn();
    const t0 = performance.now();
    for (let s = 0; s < rows; s += block) await zarr.get(arr, sel(s, Math.min(rows, s + block)));
    readTight.push((performance.now() - t0) / 1000);
  }
}
const round = (x: number) => Math.round(x * 10000) / 10000;
console.log(JSON.stringify({
  impl: "zarrita",
  node: process.version,
  writer,
  dtype, width, rows, chunk, block, mode: values.mode,
  ...(values.mode === "random" ? { reads, seed } : {}),
  ...(writeRuns.length > 0 ? { write_s: round(Math.min(...writeRuns)) } : {}),
  read_s: round(Math.min(...readRuns)),
  write_runs: writeRuns.map(round),
  read_runs: readRuns.map(round),
  ...(tight ? { write_tight_s: round(Math.min(...writeTight)), read_tight_s: round(Math.min(...readTight)), write_tight_runs: writeTight.map(round), read_tight_runs: readTight.map(round) } : {}),
  bytes,
  peak_rss_mb: Math.round(peakRss / 102.4) / 10,
}));
