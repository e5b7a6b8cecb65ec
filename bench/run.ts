/**
 * Benchmarks against zarr-python: write then read one RAT column (default
 * 20 million float64 rows, chunk 500000, blocks of 500000) on local disk and
 * on real S3 servers (moto, Ceph radosgw), this library and zarr-python
 * 3.1.x doing the same work in the same run on the same data, alternating,
 * each in its own process (so peak RSS is its own). For S3 every process
 * talks through a counting proxy, which gives the requests each made.
 *
 *   npm run bench                                   # local disk, moto and Ceph
 *   npm run bench -- --backends local --rows 2000000 --rounds 2 --block 100000
 *
 * Prints a table (MB/s of uncompressed data: best run, worst in brackets)
 * and writes bench/results/<timestamp>.json.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { startS3Servers, s3Client, type S3Server } from "../test/helpers/s3-servers.js";
import { startFaultProxy } from "../test/helpers/fault-proxy.js";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "20000000" },
    chunk: { type: "string", default: "500000" },
    block: { type: "string", default: "500000" },
    dtype: { type: "string", default: "float64" },
    rounds: { type: "string", default: "3" },
    repeat: { type: "string", default: "2" },
    backends: { type: "string", default: "local,moto,ceph" },
  },
});

interface Result { impl: string; write_s: number; read_s: number; write_runs: number[]; read_runs: number[]; bytes: number; peak_rss_mb: number; requests?: number; [k: string]: unknown }

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const run = promisify(execFile);
execFileSync("bash", [join(root, "scripts/python-env.sh")], { stdio: "inherit" });
const python = join(root, ".venv/bin/python");
const wanted = values.backends!.split(",").map((b) => b.trim());
const common = ["--rows", values.rows!, "--chunk", values.chunk!, "--block", values.block!, "--dtype", values.dtype!, "--repeat", values.repeat!];

const s3 = wanted.some((b) => b !== "local") ? await startS3Servers({ moto: wanted.includes("moto"), ceph: wanted.includes("ceph") }) : undefined;
for (const k of s3?.skipped ?? []) console.error(`skipping ${k.name}: ${k.reason}`);

const work = mkdtempSync(join(tmpdir(), "ratzarr-bench-"));
const runs: Record<string, { ts: Result[]; py: Result[] }> = {};
try {
  for (const backend of wanted) {
    const server: S3Server | undefined = s3?.servers.find((x) => x.name === backend);
    if (backend !== "local" && server === undefined) continue;
    runs[backend] = { ts: [], py: [] };
    let bucket = "";
    if (server !== undefined) {
      bucket = `ratzarr-bench-${Date.now().toString(36)}`;
      await s3Client(server).send(new CreateBucketCommand({ Bucket: bucket }));
    }
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const impl of ["ts", "py"] as const) {
        const proxy = server === undefined ? undefined : await startFaultProxy(server.endpoint, { seed: 1, slowDown: 0, dropBefore: 0, dropAfter: 0 });
        const path = server === undefined ? join(work, `${impl}.zarr`) : `s3://${bucket}/${impl}-${r}.zarr`;
        if (server === undefined) rmSync(path, { recursive: true, force: true });
        const s3Args = server === undefined ? [] : ["--s3", JSON.stringify({ endpoint: proxy!.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, region: server.region })];
        try {
          // Asynchronous: the counting proxy lives in this process's event loop.
          const { stdout: out } = impl === "ts"
            ? await run(process.execPath, ["--import", "tsx", join(root, "bench/ratzarr_bench.ts"), "--path", path, ...common, ...s3Args], { encoding: "utf8", maxBuffer: 1 << 26 })
            : await run(python, [join(root, "bench/zarr_python_bench.py"), "--path", path, ...common, ...s3Args], { encoding: "utf8", maxBuffer: 1 << 26 });
          const result = JSON.parse(out.trim().split("\n").pop()!) as Result;
          if (proxy !== undefined) result.requests = proxy.counts.requests;
          runs[backend]![impl].push(result);
        } finally {
          await proxy?.close();
        }
        process.stderr.write(".");
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await s3?.stop();
}
process.stderr.write("\n");

const mbps = (bytes: number, s: number) => bytes / 1e6 / s;
const summary = (rs: Result[], op: "write" | "read") => {
  const all = rs.flatMap((r) => r[`${op}_runs`]);
  return { best: Math.min(...all), worst: Math.max(...all), bytes: rs[0]!.bytes, rss: Math.max(...rs.map((r) => r.peak_rss_mb)), requests: rs[0]!.requests };
};
const header = ["case", "ratzarr MB/s", "zarr-python MB/s", "ratio", "peak RSS ratzarr / zarr-python", "requests ratzarr / zarr-python (write+read, per process)"];
const rowsOut: string[][] = [header];
const table: Record<string, unknown>[] = [];
for (const [backend, r] of Object.entries(runs)) {
  for (const op of ["write", "read"] as const) {
    const ts = summary(r.ts, op), py = summary(r.py, op);
    const ratio = py.best / ts.best;
    const name = `${backend}: ${op} ${values.dtype} ${Number(values.rows).toLocaleString("en")} rows, block ${values.block}, chunk ${values.chunk}`;
    rowsOut.push([
      name,
      `${mbps(ts.bytes, ts.best).toFixed(0)} (${mbps(ts.bytes, ts.worst).toFixed(0)})`,
      `${mbps(py.bytes, py.best).toFixed(0)} (${mbps(py.bytes, py.worst).toFixed(0)})`,
      `${ratio.toFixed(2)}x`,
      `${ts.rss} MB / ${py.rss} MB`,
      ts.requests === undefined ? "-" : `${ts.requests} / ${py.requests}`,
    ]);
    table.push({ backend, op, case: name, ratzarr_mb_s: mbps(ts.bytes, ts.best), zarr_python_mb_s: mbps(py.bytes, py.best), ratio, ratzarr_s: ts.best, zarr_python_s: py.best, ratzarr_peak_rss_mb: ts.rss, zarr_python_peak_rss_mb: py.rss, ratzarr_requests: ts.requests, zarr_python_requests: py.requests });
  }
}
const widths = header.map((_, i) => Math.max(...rowsOut.map((r) => r[i]!.length)));
for (const r of rowsOut) console.log("| " + r.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |");
mkdirSync(join(root, "bench/results"), { recursive: true });
const file = join(root, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, args: values, table, runs }, null, 2) + "\n");
console.log(`results: ${file}`);
