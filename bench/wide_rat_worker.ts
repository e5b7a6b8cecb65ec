/**
 * One process of the wide-RAT benchmark (bench/wide_rat.ts runs it, built
 * from dist/ in plain Node): the operations a viewer or a pipeline does on a
 * RAT with hundreds of columns, each from a fresh handle, timed one by one.
 * bench/wide_rat.py does the same through zarr-python, the way Python
 * ratzarr calls it. Prints one JSON line: seconds per operation and peak RSS.
 *
 *   --path P --columns 300 --rows 100000 [--s3 JSON]
 */
import { parseArgs } from "node:util";
import { RatZarr } from "../src/node/index.js";

const { values } = parseArgs({ options: { path: { type: "string" }, columns: { type: "string", default: "300" }, rows: { type: "string", default: "100000" }, s3: { type: "string" } } });
const path = values.path!;
const columns = Number(values.columns), rows = Number(values.rows);
const s3 = values.s3 === undefined ? undefined : (JSON.parse(values.s3) as { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string });
const options = s3 === undefined ? {} : {
  s3: { clientConfig: { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, requestChecksumCalculation: "WHEN_REQUIRED" as const, responseChecksumValidation: "WHEN_REQUIRED" as const } },
};

/** Column i: float64 for most, int32 for every third, a short string for every tenth (the same on the Python side). */
export function columnSpec(i: number): { name: string; dtype: "float64" | "int32" | "string" } {
  const name = `col${String(i).padStart(4, "0")}`;
  return { name, dtype: i % 10 === 9 ? "string" : i % 3 === 2 ? "int32" : "float64" };
}

function values_(i: number, n: number): Float64Array | Int32Array | string[] {
  const { dtype } = columnSpec(i);
  if (dtype === "string") return Array.from({ length: n }, (_, r) => `s${(r * 7 + i) % 1000}`);
  if (dtype === "int32") return Int32Array.from({ length: n }, (_, r) => (r * 31 + i) % 100000);
  return Float64Array.from({ length: n }, (_, r) => r * 0.5 + i);
}

const timings: Record<string, number> = {};
/** Peak RSS of each operation: the high-water mark read, then reset (Linux: clear_refs 5). */
const peaks: Record<string, number> = {};
const { readFileSync, writeFileSync } = await import("node:fs");
const highWater = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN) / 1024;
async function timed(name: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Not Linux, or not allowed: the peaks are then cumulative.
  }
  const t0 = performance.now();
  await fn();
  timings[name] = (performance.now() - t0) / 1000;
  peaks[name] = highWater();
}

const names = Array.from({ length: columns }, (_, i) => columnSpec(i).name);

await timed("create and fill", async () => {
  const rz = await RatZarr.open(path, options);
  await rz.setRowCount(rows);
  // Sixteen columns at a time: in parallel, as a TypeScript caller would write it, with the
  // caller's own blocks bounded (300 columns' blocks made at once would be the caller's memory).
  for (let k = 0; k < names.length; k += 16) {
    await Promise.all(names.slice(k, k + 16).map(async (name, j) => {
      await rz.createColumn(name, columnSpec(k + j).dtype);
      await rz.writeBlock(name, values_(k + j, rows), 0);
    }));
  }
  await rz.close();
});

let seen = 0;
await timed("getColumnNames", async () => {
  const rz = await RatZarr.open(path, { ...options, readOnly: true });
  seen = (await rz.getColumnNames()).length;
  await rz.close();
});
if (seen !== columns) throw new Error(`getColumnNames: ${seen} columns, wrote ${columns}`);

await timed("setRowCount grow", async () => {
  const rz = await RatZarr.open(path, options);
  await rz.setRowCount(rows + rows / 2);
  await rz.close();
});

const row = Math.floor(rows / 3) + 17;
await timed("one row of every column", async () => {
  const rz = await RatZarr.open(path, { ...options, readOnly: true });
  const got = await Promise.all((await rz.getColumnNames()).map((n) => rz.readBlock(n, row, 1)));
  if (got.length !== columns || got.some((g) => g.length !== 1)) throw new Error("one row: wrong shape");
  await rz.close();
});

await timed("every column whole", async () => {
  const rz = await RatZarr.open(path, { ...options, readOnly: true });
  const all = await rz.getColumnNames();
  let n = 0;
  // Eight columns at a time: bounded memory, both cores busy.
  for (let i = 0; i < all.length; i += 8) {
    const got = await Promise.all(all.slice(i, i + 8).map((c) => rz.readBlock(c, 0, rows)));
    n += got.reduce((s, g) => s + g.length, 0);
  }
  if (n !== columns * rows) throw new Error(`every column: read ${n} values`);
  await rz.close();
});

console.log(JSON.stringify({ impl: "ratzarr-ts", timings, peaks, peak_rss_mb: Math.max(...Object.values(peaks)) }));
