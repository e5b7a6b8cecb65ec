/**
 * Benchmark 1: write then read a 20-million-row float64 column (chunk
 * 500000) on local disk, ratzarr against zarr-python 3.1.x in the same run,
 * on the same data, alternating, each in its own process so peak RSS is its own.
 *
 *   npm run bench                      # defaults below
 *   npm run bench -- --rows 2000000 --rounds 2 --block 100000
 *
 * Prints a table (MB/s of uncompressed data, best of every run, min..max
 * shown) and writes bench/results/<timestamp>.json.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "20000000" },
    chunk: { type: "string", default: "500000" },
    block: { type: "string", default: "500000" },
    dtype: { type: "string", default: "float64" },
    rounds: { type: "string", default: "3" },
    repeat: { type: "string", default: "2" },
  },
});

interface Result { impl: string; write_s: number; read_s: number; write_runs: number[]; read_runs: number[]; bytes: number; peak_rss_mb: number; [k: string]: unknown }

execFileSync("bash", [join(root, "scripts/python-env.sh")], { stdio: "inherit" });
const python = join(root, ".venv/bin/python");
const work = mkdtempSync(join(tmpdir(), "ratzarr-bench-"));
const common = ["--rows", values.rows!, "--chunk", values.chunk!, "--block", values.block!, "--dtype", values.dtype!, "--repeat", values.repeat!];
const runs: { ts: Result[]; py: Result[] } = { ts: [], py: [] };
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const impl of ["ts", "py"] as const) {
      const path = join(work, `${impl}.zarr`);
      rmSync(path, { recursive: true, force: true });
      const out = impl === "ts"
        ? execFileSync(process.execPath, ["--import", "tsx", join(root, "bench/ratzarr_bench.ts"), "--path", path, ...common], { encoding: "utf8" })
        : execFileSync(python, [join(root, "bench/zarr_python_bench.py"), "--path", path, ...common], { encoding: "utf8" });
      runs[impl].push(JSON.parse(out.trim().split("\n").pop()!) as Result);
      process.stderr.write(".");
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stderr.write("\n");

const mbps = (bytes: number, s: number) => bytes / 1e6 / s;
const summary = (rs: Result[], op: "write" | "read") => {
  const all = rs.flatMap((r) => r[`${op}_runs`]);
  return { best: Math.min(...all), worst: Math.max(...all), bytes: rs[0]!.bytes, rss: Math.max(...rs.map((r) => r.peak_rss_mb)) };
};
const rowsOut: string[][] = [["case", "ratzarr MB/s (min..max)", "zarr-python MB/s (min..max)", "ratio", "peak RSS ratzarr / zarr-python"]];
const table: Record<string, unknown>[] = [];
for (const op of ["write", "read"] as const) {
  const ts = summary(runs.ts, op), py = summary(runs.py, op);
  const ratio = py.best / ts.best;
  const name = `${op} ${values.dtype} ${Number(values.rows).toLocaleString("en")} rows, block ${values.block}, chunk ${values.chunk}`;
  rowsOut.push([
    name,
    `${mbps(ts.bytes, ts.best).toFixed(0)} (${mbps(ts.bytes, ts.worst).toFixed(0)}..${mbps(ts.bytes, ts.best).toFixed(0)})`,
    `${mbps(py.bytes, py.best).toFixed(0)} (${mbps(py.bytes, py.worst).toFixed(0)}..${mbps(py.bytes, py.best).toFixed(0)})`,
    `${ratio.toFixed(2)}x`,
    `${ts.rss} MB / ${py.rss} MB`,
  ]);
  table.push({ case: name, ratzarr_mb_s: mbps(ts.bytes, ts.best), zarr_python_mb_s: mbps(py.bytes, py.best), ratio, ratzarr_s: ts.best, zarr_python_s: py.best, ratzarr_peak_rss_mb: ts.rss, zarr_python_peak_rss_mb: py.rss });
}
const widths = rowsOut[0]!.map((_, i) => Math.max(...rowsOut.map((r) => r[i]!.length)));
for (const r of rowsOut) console.log("| " + r.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |");
mkdirSync(join(root, "bench/results"), { recursive: true });
const file = join(root, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, args: values, table, runs }, null, 2) + "\n");
console.log(`results: ${file}`);
