/**
 * ratzarr side of the benchmarks: write then read one RAT column block by
 * block through RatZarr, the same work as bench/zarr_python_bench.py (same
 * data, same layout, same default codecs), printing one JSON line.
 *
 *   node --import tsx bench/ratzarr_bench.ts --path /tmp/b.zarr --rows 20000000 --chunk 500000 --block 500000 --dtype float64 --repeat 3
 *   ... --path s3://bucket/b.zarr --s3 '{"endpoint": "http://127.0.0.1:9000", "accessKeyId": "...", "secretAccessKey": "...", "region": "us-east-1"}'
 *
 * Timing sums the write (or read) calls only; generating and checking the
 * data is outside. Every read block is compared with the generated data.
 */
import { parseArgs } from "node:util";
import { RatZarr } from "../src/node/index.js";

const { values } = parseArgs({
  options: {
    path: { type: "string" },
    rows: { type: "string", default: "20000000" },
    chunk: { type: "string", default: "500000" },
    block: { type: "string", default: "500000" },
    dtype: { type: "string", default: "float64" },
    repeat: { type: "string", default: "3" },
    s3: { type: "string" },
  },
});
const rows = Number(values.rows), chunk = Number(values.chunk), block = Number(values.block), repeat = Number(values.repeat);
const dtype = values.dtype as "float64" | "float32" | "int32";
if (!values.path) throw new Error("--path is required");
const path = values.path;

/** Same data as the Python side: h = (i * 2654435761) mod 2^32. */
export function blockValues(start: number, stop: number, dt: string): Float64Array | Float32Array | Int32Array {
  const n = stop - start;
  const out = dt === "float64" ? new Float64Array(n) : dt === "float32" ? new Float32Array(n) : new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const h = Math.imul(start + j, 2654435761) >>> 0;
    out[j] = dt.startsWith("float") ? (h % 100000) / 100 : h % 1000000;
  }
  return out;
}

const s3Server = values.s3 === undefined ? undefined : (JSON.parse(values.s3) as { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string });
const options = s3Server === undefined ? {} : {
  s3: { clientConfig: { endpoint: s3Server.endpoint, region: s3Server.region, forcePathStyle: true, credentials: { accessKeyId: s3Server.accessKeyId, secretAccessKey: s3Server.secretAccessKey } } },
};
const rz = await RatZarr.open(path, { ...options, onWarning: () => undefined });
await rz.setChunkSize(chunk);
await rz.setRowCount(rows);

const writeRuns: number[] = [];
const readRuns: number[] = [];
for (let r = 0; r < repeat; r++) {
  if (await rz.colExists("col")) await rz.deleteColumn("col");
  await rz.createColumn("col", dtype);
  let elapsed = 0;
  for (let s = 0; s < rows; s += block) {
    const data = blockValues(s, Math.min(rows, s + block), dtype);
    const t0 = performance.now();
    await rz.writeBlock("col", data, s);
    elapsed += performance.now() - t0;
  }
  writeRuns.push(elapsed / 1000);
}
await rz.close();
for (let r = 0; r < repeat; r++) {
  const reader = await RatZarr.open(path, { ...options, readOnly: true });
  let elapsed = 0;
  for (let s = 0; s < rows; s += block) {
    const stop = Math.min(rows, s + block);
    const t0 = performance.now();
    const got = await reader.readBlock<"float64">("col", s, block);
    elapsed += performance.now() - t0;
    const want = blockValues(s, stop, dtype);
    for (let j = 0; j < want.length; j++) if (got[j] !== want[j]) throw new Error(`row ${s + j}: read ${got[j]}, wrote ${want[j]}`);
  }
  readRuns.push(elapsed / 1000);
  await reader.close();
}
const round = (x: number) => Math.round(x * 10000) / 10000;
console.log(JSON.stringify({
  impl: "ratzarr-ts",
  node: process.version,
  dtype, rows, chunk, block,
  write_s: round(Math.min(...writeRuns)),
  read_s: round(Math.min(...readRuns)),
  write_runs: writeRuns.map(round),
  read_runs: readRuns.map(round),
  bytes: rows * (dtype === "float64" ? 8 : 4),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
}));
