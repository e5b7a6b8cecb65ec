/**
 * ratzarr side of the benchmarks: write then read one RAT column block by
 * block through RatZarr, the same work as bench/zarr_python_bench.py (same
 * data, same layout, same default codecs), printing one JSON line.
 *
 *   node --import tsx bench/ratzarr_bench.ts --path /tmp/b.zarr --rows 20000000 --chunk 500000 --block 500000 --dtype float64 --repeat 3
 *   ... --dtype uint16 --width 3          # 2-d column [rows, 3], chunks [chunk, 3]
 *   ... --dtype string-long               # variable-length UTF-8 strings
 *   ... --mode random --reads 1000        # write aligned (setup), then time 1000 single-row reads
 *   ... --path s3://bucket/b.zarr --s3 '{"endpoint": "http://127.0.0.1:9000", "accessKeyId": "...", "secretAccessKey": "...", "region": "us-east-1"}'
 *
 *   ... --write-behind 4                  # RatZarr.open(..., { writeBehind: 4 }); the run ends with flush()
 *   ... --read-ahead 0                    # turn off read-ahead (default 2, as in the library)
 *   ... --caller-only                     # the caller's work alone: blocks made and checked, no
 *                                         # library call (the memory floor; bench/rss_floor.ts)
 *
 * The data is defined in bench/zarr_python_bench.py's docstring and
 * implemented here a second time. Every read block (and every random row) is
 * compared with the generated data.
 *
 * Timing, two ways, both also on the Python side:
 * - write_s / read_s, a pipeline: each block is made (or checked) by the
 *   caller between calls, and only the calls are timed (for write-behind,
 *   with the closing flush). Read-ahead and write-behind overlap their work
 *   with the caller's: this is the wall time a pipeline waits on the library.
 * - write_tight_s / read_tight_s, no caller work: the blocks are made before
 *   the clock starts and written back to back (then flushed), or read back to
 *   back (checked in the runs above): nothing to hide background work behind,
 *   so this is the library's own throughput, every thread included. Only for
 *   numeric columns of at most 400 MB (the blocks are all held in memory).
 * peak_rss_mb is taken before the tight runs (which hold the whole column).
 * Random-row runs time each call.
 */
import { parseArgs } from "node:util";
import { RatZarr } from "../src/node/index.js";
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
    "write-behind": { type: "string", default: "0" },
    "read-ahead": { type: "string", default: "2" },
    "caller-only": { type: "boolean", default: false },
    s3: { type: "string" },
  },
});
const rows = Number(values.rows), chunk = Number(values.chunk), block = Number(values.block), repeat = Number(values.repeat);
const width = Number(values.width), reads = Number(values.reads), seed = Number(values.seed);
const dtype = values.dtype as BenchDtype;
if (!DTYPES.includes(dtype)) throw new Error(`--dtype must be one of ${DTYPES.join(", ")}`);
if (values.mode !== "stream" && values.mode !== "random") throw new Error("--mode must be stream or random");
if (!values.path) throw new Error("--path is required");
const path = values.path;
const colType = dtype.startsWith("string") ? "string" : (dtype as "float64" | "int32" | "uint16");

const s3Server = values.s3 === undefined ? undefined : (JSON.parse(values.s3) as { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string });
const options = s3Server === undefined ? {} : {
  s3: { clientConfig: { endpoint: s3Server.endpoint, region: s3Server.region, forcePathStyle: true, credentials: { accessKeyId: s3Server.accessKeyId, secretAccessKey: s3Server.secretAccessKey } } },
};
const writeBehind = Number(values["write-behind"]), readAhead = Number(values["read-ahead"]);
const rz = await RatZarr.open(path, { ...options, writeBehind, readAhead, onWarning: () => undefined });
await rz.setChunkSize(chunk);
await rz.setRowCount(rows);

const writeRuns: number[] = [];
const readRuns: number[] = [];
let bytes = 0;
const stream = values.mode === "stream";
const callerOnly = values["caller-only"] === true;
const tight = stream && !callerOnly && !colType.startsWith("string") && rows * width * (dtype === "float64" ? 8 : dtype === "int32" ? 4 : 2) <= 400e6;

async function writeColumn(blocks: ((s: number, stop: number) => Block), blockLen: number): Promise<number> {
  if (await rz.colExists("col")) await rz.deleteColumn("col");
  await rz.createColumn("col", colType, { width });
  let calls = 0;
  bytes = 0;
  for (let s = 0; s < rows; s += blockLen) {
    const data = blocks(s, Math.min(rows, s + blockLen));
    bytes += byteSize(data);
    const t0 = performance.now();
    if (!callerOnly) await rz.writeBlock("col", data as never, s);
    calls += performance.now() - t0;
  }
  const t0 = performance.now();
  await rz.flush();
  return (calls + performance.now() - t0) / 1000;
}

// Random mode writes once, aligned (block = chunk); its time is setup, reported but not the case's result.
const writeBlockLen = values.mode === "random" ? chunk : block;
for (let r = 0; r < (values.mode === "random" ? 1 : repeat); r++) {
  writeRuns.push(await writeColumn((s, stop) => blockValues(s, stop, dtype, width), writeBlockLen));
}

const rowList = values.mode === "random" ? randomRows(reads, rows, seed) : [];
for (let r = 0; r < repeat; r++) {
  // A fresh read-only handle per run, default cache settings.
  const reader = await RatZarr.open(path, { ...options, readOnly: true, readAhead });
  let elapsed = 0;
  if (values.mode === "random") {
    for (const row of rowList) {
      const t0 = performance.now();
      const got = await reader.readBlock("col", row, 1);
      elapsed += performance.now() - t0;
      checkRows(got as ArrayLike<unknown>, row, row + 1, dtype, width);
    }
  } else {
    for (let s = 0; s < rows; s += block) {
      const stop = Math.min(rows, s + block);
      const t0 = performance.now();
      // --caller-only: the block the read would give, made instead of read.
      const got = callerOnly ? blockValues(s, stop, dtype, width) : await reader.readBlock("col", s, block);
      elapsed += performance.now() - t0;
      checkRows(got as ArrayLike<unknown>, s, stop, dtype, width);
    }
  }
  readRuns.push(elapsed / 1000);
  await reader.close();
}
const peakRss = process.resourceUsage().maxRSS;

// No caller work: blocks made before the clock starts; the wall time of the loop is timed.
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
    const reader = await RatZarr.open(path, { ...options, readOnly: true, readAhead });
    const t0 = performance.now();
    for (let s = 0; s < rows; s += block) await reader.readBlock("col", s, block);
    readTight.push((performance.now() - t0) / 1000);
    await reader.close();
  }
}
const round = (x: number) => Math.round(x * 10000) / 10000;
console.log(JSON.stringify({
  impl: "ratzarr-ts",
  node: process.version,
  dtype, width, rows, chunk, block, mode: values.mode,
  ...(values.mode === "random" ? { reads, seed } : {}),
  write_s: round(Math.min(...writeRuns)),
  read_s: round(Math.min(...readRuns)),
  write_runs: writeRuns.map(round),
  read_runs: readRuns.map(round),
  ...(tight ? { write_tight_s: round(Math.min(...writeTight)), read_tight_s: round(Math.min(...readTight)), write_tight_runs: writeTight.map(round), read_tight_runs: readTight.map(round) } : {}),
  write_behind: writeBehind,
  read_ahead: readAhead,
  bytes,
  peak_rss_mb: Math.round(peakRss / 102.4) / 10,
}));
