/**
 * Benchmarks against zarr-python: one command runs a table of cases (see
 * CASES below): write then read one RAT column (default 20 million rows,
 * chunk 500000) of float64, int32, uint16 width 3 and short/long unicode
 * strings, in aligned blocks (= chunk) and unaligned ones (100000 rows in
 * 500000-row chunks); 1000 seeded random single-row reads; and a 100-million-
 * row float64 column streamed block by block for the memory bound (peak RSS).
 * This library and zarr-python 3.1.x (used the way Python ratzarr uses it:
 * arr[a:b] = block; arr[a:b]) do the same work in the same run on the same
 * data, alternating, each in its own process (so peak RSS is its own). On S3
 * (moto, Ceph radosgw) every process talks through a counting proxy, which
 * gives the requests each made.
 *
 *   npm run bench                                   # every case on local disk
 *   npm run bench -- --quick                        # smoke run: 2 million rows, 1 round, repeat 1
 *   npm run bench -- --cases f64-aligned,f64-unaligned --backends local,moto,ceph
 *   npm run bench -- --cases f64-aligned,f64-unaligned --baseline af3f487   # also an older commit, in the same run
 *
 * With --baseline REV, that git revision of this library is built too (its src/
 * only, into a temporary folder) and runs every case with default options beside
 * the current one, alternating, so a change is measured against its own past
 * in one run on the same data (rows marked "baseline REV").
 * S3 backends run only the cases marked s3 (float64 aligned and unaligned).
 * Every streaming case runs this library twice: with default options, and
 * with write-behind (`writeBehind: 4`, rows marked "write-behind"). Each
 * streaming row gives two measures (see bench/ratzarr_bench.ts): "pipeline"
 * (the caller makes or checks each block between calls; calls timed) and
 * "tight" (no caller work; wall time of the loop). This library runs from
 * dist/ (built first) in plain Node, as users run it, not under tsx.
 * Prints a table (MB/s of uncompressed data, UTF-8 bytes for strings: best
 * run, worst in brackets; random-row cases give reads/s and ms per read
 * instead) and writes bench/results/<timestamp>.json.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { startS3Servers, s3Client, type S3Server } from "../test/helpers/s3-servers.js";
import { startFaultProxy } from "../test/helpers/fault-proxy.js";

const root = join(import.meta.dirname, "..");
const started = performance.now();
const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "all" },
    rows: { type: "string" },
    chunk: { type: "string", default: "500000" },
    rounds: { type: "string" },
    repeat: { type: "string" },
    reads: { type: "string", default: "1000" },
    backends: { type: "string", default: "local" },
    quick: { type: "boolean", default: false },
    baseline: { type: "string" },
  },
});
const quick = values.quick!;
const chunk = Number(values.chunk);
const baseRows = Number(values.rows ?? (quick ? 2_000_000 : 20_000_000));
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const repeat = values.repeat ?? (quick ? "1" : "2");

/**
 * The case table. rows: "base" = --rows (20 million; 2 million with --quick),
 * "memory" = 100 million (10 million with --quick). block "chunk" = aligned.
 */
type Impl = "ts" | "tswb" | "base" | "py";
interface Case { name: string; dtype: string; width?: number; block: "chunk" | number; mode: "stream" | "random"; rows: "base" | "memory"; impls: Impl[]; s3: boolean }
const CASES: Case[] = [
  { name: "f64-aligned", dtype: "float64", block: "chunk", mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: true },
  { name: "f64-unaligned", dtype: "float64", block: 100000, mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: true },
  { name: "i32-aligned", dtype: "int32", block: "chunk", mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: false },
  { name: "u16w3-aligned", dtype: "uint16", width: 3, block: "chunk", mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: false },
  { name: "str-short-aligned", dtype: "string-short", block: "chunk", mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: false },
  { name: "str-short-unaligned", dtype: "string-short", block: 100000, mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: false },
  { name: "str-long-aligned", dtype: "string-long", block: "chunk", mode: "stream", rows: "base", impls: ["ts", "tswb", "py"], s3: false },
  { name: "f64-random-rows", dtype: "float64", block: "chunk", mode: "random", rows: "base", impls: ["ts", "py"], s3: false },
  // zarr-python is left out: the point is this library's peak RSS while streaming.
  { name: "f64-100M-memory", dtype: "float64", block: "chunk", mode: "stream", rows: "memory", impls: ["ts", "tswb"], s3: false },
];
const chosen = values.cases === "all" ? CASES : values.cases!.split(",").map((n) => {
  const c = CASES.find((x) => x.name === n.trim());
  if (c === undefined) throw new Error(`unknown case ${n}; one of ${CASES.map((x) => x.name).join(", ")}`);
  return c;
});
const caseRows = (c: Case) => c.rows === "memory" ? (quick ? 10_000_000 : 100_000_000) : baseRows;
const caseBlock = (c: Case) => c.block === "chunk" ? chunk : c.block;

interface Result { impl: string; write_s: number; read_s: number; write_runs: number[]; read_runs: number[]; write_tight_runs?: number[]; read_tight_runs?: number[]; bytes: number; peak_rss_mb: number; requests?: number; reads?: number; [k: string]: unknown }

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const run = promisify(execFile);
execFileSync("bash", [join(root, "scripts/python-env.sh")], { stdio: "inherit" });
const python = join(root, ".venv/bin/python");
const wanted = values.backends!.split(",").map((b) => b.trim());

const s3 = wanted.some((b) => b !== "local") ? await startS3Servers({ moto: wanted.includes("moto"), ceph: wanted.includes("ceph") }) : undefined;
for (const k of s3?.skipped ?? []) console.error(`skipping ${k.name}: ${k.reason}`);

const work = mkdtempSync(join(tmpdir(), "ratzarr-bench-"));
// This library as users run it: dist/ in plain Node (tsx alone adds ~35 MB of RSS).
execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
const { transformSync } = await import("esbuild");
const benchJs = join(work, "ratzarr_bench.mjs");
const source = readFileSync(join(root, "bench/ratzarr_bench.ts"), "utf8").replace('"../src/node/index.js"', JSON.stringify(pathToFileURL(join(root, "dist/node/index.js")).href));
writeFileSync(benchJs, transformSync(source, { loader: "ts", format: "esm", target: "node20" }).code);
// The baseline: the same bench script, importing an older revision's build.
const baselineJs = join(work, "ratzarr_bench_baseline.mjs");
if (values.baseline !== undefined) {
  const tree = join(work, "baseline");
  mkdirSync(tree);
  execFileSync("sh", ["-c", `git -C "${root}" archive "${values.baseline}" src tsconfig.json tsconfig.build.json package.json | tar -x -C "${tree}"`]);
  execFileSync("ln", ["-s", join(root, "node_modules"), join(tree, "node_modules")]);
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(tree, "tsconfig.build.json")], { cwd: tree, stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("cp", [join(tree, "src/node/zstd-engine.cjs"), join(tree, "dist/node/zstd-engine.cjs")]);
  const baseSource = readFileSync(join(root, "bench/ratzarr_bench.ts"), "utf8").replace('"../src/node/index.js"', JSON.stringify(pathToFileURL(join(tree, "dist/node/index.js")).href));
  writeFileSync(baselineJs, transformSync(baseSource, { loader: "ts", format: "esm", target: "node20" }).code);
  for (const c of CASES) if (c.mode === "stream" && !c.impls.includes("base")) c.impls.splice(1, 0, "base");
}
interface CaseRuns { case: Case; backend: string; rows: number; block: number; ts: Result[]; tswb: Result[]; base: Result[]; py: Result[]; seconds: number }
const runs: Record<string, CaseRuns> = {};
try {
  for (const c of chosen) {
    for (const backend of wanted) {
      const server: S3Server | undefined = s3?.servers.find((x) => x.name === backend);
      if (backend !== "local" && (server === undefined || !c.s3)) continue;
      const rows = caseRows(c), block = caseBlock(c);
      const entry: CaseRuns = { case: c, backend, rows, block, ts: [], tswb: [], base: [], py: [], seconds: 0 };
      runs[`${backend}:${c.name}`] = entry;
      const t0 = performance.now();
      process.stderr.write(`${backend}:${c.name} `);
      let bucket = "";
      if (server !== undefined) {
        bucket = `ratzarr-bench-${Date.now().toString(36)}`;
        await s3Client(server).send(new CreateBucketCommand({ Bucket: bucket }));
      }
      const common = ["--rows", String(rows), "--chunk", String(chunk), "--block", String(block), "--dtype", c.dtype, "--width", String(c.width ?? 1), "--mode", c.mode, "--reads", values.reads!, "--repeat", repeat];
      for (let r = 0; r < rounds; r++) {
        for (const impl of c.impls) {
          const proxy = server === undefined ? undefined : await startFaultProxy(server.endpoint, { seed: 1, slowDown: 0, dropBefore: 0, dropAfter: 0 });
          const path = server === undefined ? join(work, `${impl}.zarr`) : `s3://${bucket}/${c.name}-${impl}-${r}.zarr`;
          if (server === undefined) rmSync(path, { recursive: true, force: true });
          const s3Args = server === undefined ? [] : ["--s3", JSON.stringify({ endpoint: proxy!.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, region: server.region })];
          try {
            // Asynchronous: the counting proxy lives in this process's event loop.
            const { stdout: out } = impl !== "py"
              ? await run(process.execPath, [impl === "base" ? baselineJs : benchJs, "--path", path, ...common, ...s3Args, ...(impl === "tswb" ? ["--write-behind", "4"] : [])], { encoding: "utf8", maxBuffer: 1 << 26 })
              : await run(python, [join(root, "bench/zarr_python_bench.py"), "--path", path, ...common, ...s3Args], { encoding: "utf8", maxBuffer: 1 << 26 });
            const result = JSON.parse(out.trim().split("\n").pop()!) as Result;
            if (proxy !== undefined) result.requests = proxy.counts.requests;
            entry[impl].push(result);
          } finally {
            await proxy?.close();
            if (server === undefined) rmSync(path, { recursive: true, force: true });
          }
          process.stderr.write(".");
        }
      }
      entry.seconds = (performance.now() - t0) / 1000;
      process.stderr.write(` ${entry.seconds.toFixed(0)} s\n`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await s3?.stop();
}

const mbps = (bytes: number, s: number) => bytes / 1e6 / s;
const summary = (rs: Result[], op: "write" | "read", tight = false) => {
  if (rs.length === 0) return undefined;
  const all = rs.flatMap((r) => (tight ? r[`${op}_tight_runs`] : r[`${op}_runs`]) ?? []);
  if (all.length === 0) return undefined;
  return { best: Math.min(...all), worst: Math.max(...all), bytes: rs[0]!.bytes, reads: rs[0]!.reads, rss: Math.max(...rs.map((r) => r.peak_rss_mb)), requests: rs[0]!.requests };
};
type Summary = NonNullable<ReturnType<typeof summary>>;
const header = ["case", "ratzarr MB/s (random rows: reads/s, ms/read)", "zarr-python MB/s (same)", "ratio", "tight: ratzarr / zarr-python MB/s", "tight ratio", "peak RSS ratzarr / zarr-python", "requests ratzarr / zarr-python (write+read, per process)"];
const rowsOut: string[][] = [header];
const table: Record<string, unknown>[] = [];
// Random rows: reads/s of the best run, ms per read of the worst in brackets.
const cell = (s: Summary | undefined, random: boolean) => s === undefined ? "-"
  : random ? `${(s.reads! / s.best).toFixed(0)}/s, ${(s.best * 1000 / s.reads!).toFixed(2)} ms (${(s.worst * 1000 / s.reads!).toFixed(2)} ms)`
  : `${mbps(s.bytes, s.best).toFixed(0)} (${mbps(s.bytes, s.worst).toFixed(0)})`;
const ratioOf = (ts: Summary | undefined, py: Summary | undefined) => (ts !== undefined && py !== undefined ? py.best / ts.best : undefined);
for (const [key, r] of Object.entries(runs)) {
  const random = r.case.mode === "random";
  for (const impl of ["ts", "tswb", "base"] as const) {
    if (r[impl].length === 0) continue;
    for (const op of random ? ["read"] as const : ["write", "read"] as const) {
      const ts = summary(r[impl], op), py = summary(r.py, op);
      const tsT = summary(r[impl], op, true), pyT = summary(r.py, op, true);
      const ratio = ratioOf(ts, py), tightRatio = ratioOf(tsT, pyT);
      const what = random ? `${r.ts[0]?.reads ?? r.py[0]?.reads} random rows of` : `${op}, block ${r.block},`;
      const width = r.case.width === undefined ? "" : ` width ${r.case.width}`;
      const name = `${key} ${what} ${r.case.dtype}${width} ${r.rows.toLocaleString("en")} rows, chunk ${chunk}${impl === "tswb" ? ", write-behind 4" : impl === "base" ? `, baseline ${values.baseline}` : ""}`;
      rowsOut.push([
        name,
        cell(ts, random),
        cell(py, random),
        ratio === undefined ? "-" : `${ratio.toFixed(2)}x`,
        tsT === undefined ? "-" : `${mbps(tsT.bytes, tsT.best).toFixed(0)} / ${pyT === undefined ? "-" : mbps(pyT.bytes, pyT.best).toFixed(0)}`,
        tightRatio === undefined ? "-" : `${tightRatio.toFixed(2)}x`,
        `${ts === undefined ? "-" : `${ts.rss} MB`} / ${py === undefined ? "-" : `${py.rss} MB`}`,
        ts?.requests === undefined ? "-" : `${ts.requests} / ${py?.requests ?? "-"}`,
      ]);
      const rate = (s: Summary | undefined) => s === undefined ? undefined : random ? s.reads! / s.best : mbps(s.bytes, s.best);
      table.push({
        backend: r.backend, case: r.case.name, impl: impl === "tswb" ? "ratzarr write-behind 4" : impl === "base" ? `ratzarr baseline ${values.baseline}` : "ratzarr", op: random ? "random-read" : op, name, rows: r.rows, block: r.block,
        [random ? "ratzarr_reads_s" : "ratzarr_mb_s"]: rate(ts), [random ? "zarr_python_reads_s" : "zarr_python_mb_s"]: rate(py),
        ratio, ratzarr_s: ts?.best, zarr_python_s: py?.best, ratzarr_worst_s: ts?.worst, zarr_python_worst_s: py?.worst,
        tight_ratio: tightRatio, ratzarr_tight_mb_s: rate(tsT), zarr_python_tight_mb_s: rate(pyT),
        ratzarr_peak_rss_mb: ts?.rss, zarr_python_peak_rss_mb: py?.rss, ratzarr_requests: ts?.requests, zarr_python_requests: py?.requests,
        bytes: ts?.bytes ?? py?.bytes, case_seconds: r.seconds,
      });
    }
  }
}
const widths = header.map((_, i) => Math.max(...rowsOut.map((r) => r[i]!.length)));
for (const r of rowsOut) console.log("| " + r.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |");
if (values.baseline !== undefined) {
  // Current against baseline, best runs of the same run: above 1 is faster now.
  console.log(`\ncurrent / baseline ${values.baseline} (best runs; pipeline, tight):`);
  for (const [key, r] of Object.entries(runs)) {
    if (r.base.length === 0) continue;
    for (const op of ["write", "read"] as const) {
      const now = summary(r.ts, op), then = summary(r.base, op), nowT = summary(r.ts, op, true), thenT = summary(r.base, op, true);
      const f = (a: Summary | undefined, b: Summary | undefined) => (a === undefined || b === undefined ? "-" : `${(b.best / a.best).toFixed(2)}x`);
      console.log(`  ${key} ${op}: ${f(now, then)}, ${f(nowT, thenT)}; peak RSS ${now?.rss ?? "-"} / ${then?.rss ?? "-"} MB`);
    }
  }
}
const totalSeconds = (performance.now() - started) / 1000;
mkdirSync(join(root, "bench/results"), { recursive: true });
const file = join(root, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
const args = { ...values, rows: baseRows, rounds, repeat };
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, args, table, runs, total_seconds: totalSeconds }, null, 2) + "\n");
console.log(`results: ${file}`);
console.log(`total time: ${totalSeconds.toFixed(1)} s`);
