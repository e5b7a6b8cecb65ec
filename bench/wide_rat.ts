/**
 * Wide RATs (issue 15): 300 columns of 100000 rows by default, the operations
 * a viewer or a pipeline does on them, each from a fresh handle: create and
 * fill, getColumnNames, setRowCount grow, one row of every column (a viewer
 * clicking a segment), every column whole. This library (bench/wide_rat_worker.ts,
 * built from src/ into a private folder, plain Node) against zarr-python 3.1.6
 * making Python ratzarr's calls (bench/wide_rat.py), alternating, each in its own
 * process, on local disk, moto and Ceph radosgw, through a counting proxy on S3.
 *
 *   node --import tsx bench/wide_rat.ts [--backends local,moto,ceph] [--columns 300] [--rows 100000] [--rounds 2]
 *
 * Prints, per backend and operation, the best seconds of each side, the
 * ratio (Python / TypeScript: above 1 is faster here) and the requests each
 * process made; writes bench/results/wide-<time>.json.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startS3Servers, makeBucket, type S3Server } from "../test/helpers/s3-servers.js";
import { startFaultProxy } from "../test/helpers/fault-proxy.js";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({ options: { backends: { type: "string", default: "local,moto,ceph" }, columns: { type: "string", default: "300" }, rows: { type: "string", default: "100000" }, rounds: { type: "string", default: "2" } } });
const wanted = values.backends!.split(",").map((b) => b.trim());
const rounds = Number(values.rounds);
const run = promisify(execFile);

execFileSync("bash", [join(root, "scripts/python-env.sh")], { stdio: "inherit" });
const python = join(root, ".venv/bin/python");
mkdirSync(join(root, "tmp"), { recursive: true });
const work = mkdtempSync(join(root, "tmp", "wide-bench-"));
// A private build (dist/ may be rebuilt by a test run meanwhile); under the repo so node_modules resolves.
const build = join(work, "dist");
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", build, "--noCheck"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
execFileSync("cp", [join(root, "src/node/zstd-engine.cjs"), join(build, "node/zstd-engine.cjs")]);
const { transformSync } = await import("esbuild");
const workerJs = join(work, "wide_rat_worker.mjs");
const source = readFileSync(join(root, "bench/wide_rat_worker.ts"), "utf8").replace('"../src/node/index.js"', JSON.stringify(pathToFileURL(join(build, "node/index.js")).href));
writeFileSync(workerJs, transformSync(source, { loader: "ts", format: "esm", target: "node20" }).code);

const s3 = wanted.some((b) => b !== "local") ? await startS3Servers({ moto: wanted.includes("moto"), ceph: wanted.includes("ceph") }) : undefined;
for (const k of s3?.skipped ?? []) console.error(`skipping ${k.name}: ${k.reason}`);

interface Result { impl: string; timings: Record<string, number>; peaks?: Record<string, number>; peak_rss_mb: number; requests?: number }
const results: Record<string, { ts: Result[]; py: Result[] }> = {};
try {
  for (const backend of wanted) {
    const server: S3Server | undefined = s3?.servers.find((x) => x.name === backend);
    if (backend !== "local" && server === undefined) continue;
    const bucket = `ratzarr-wide-${Date.now().toString(36)}`;
    if (server !== undefined) await makeBucket(server, bucket);
    results[backend] = { ts: [], py: [] };
    for (let r = 0; r < rounds; r++) {
      for (const impl of ["ts", "py"] as const) {
        process.stderr.write(`${backend} ${impl} round ${r + 1}\n`);
        const proxy = server === undefined ? undefined : await startFaultProxy(server.endpoint, { seed: 1, slowDown: 0, dropBefore: 0, dropAfter: 0 });
        const path = server === undefined ? join(work, `${impl}-${r}.zarr`) : `s3://${bucket}/${impl}-${r}.zarr`;
        const args = ["--path", path, "--columns", values.columns!, "--rows", values.rows!];
        if (server !== undefined) args.push("--s3", JSON.stringify({ endpoint: proxy!.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, region: server.region }));
        try {
          const { stdout } = impl === "ts"
            ? await run(process.execPath, [workerJs, ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
            : await run(python, [join(root, "bench/wide_rat.py"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
          const result = JSON.parse(stdout.trim().split("\n").pop()!) as Result;
          if (proxy !== undefined) result.requests = proxy.counts.requests;
          results[backend]![impl].push(result);
        } finally {
          await proxy?.close();
          if (server === undefined) rmSync(path, { recursive: true, force: true });
        }
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await s3?.stop();
}

const lines = [`${values.columns} columns x ${values.rows} rows; best of ${rounds}; seconds (ratio = zarr-python / this library)`, ""];
lines.push(["backend", "operation", "ratzarr s", "zarr-python s", "ratio", "ratzarr peak RSS of the operation"].join(" | "));
for (const [backend, r] of Object.entries(results)) {
  const ops = Object.keys(r.ts[0]?.timings ?? {});
  for (const op of ops) {
    const ts = Math.min(...r.ts.map((x) => x.timings[op]!)), py = Math.min(...r.py.map((x) => x.timings[op]!));
    const peak = Math.max(...r.ts.map((x) => x.peaks?.[op] ?? NaN));
    lines.push([backend, op, ts.toFixed(3), py.toFixed(3), `${(py / ts).toFixed(1)}x`, Number.isNaN(peak) ? "-" : `${peak.toFixed(0)} MB`].join(" | "));
  }
  const rss = (xs: Result[]) => Math.max(...xs.map((x) => x.peak_rss_mb)).toFixed(0);
  const req = (xs: Result[]) => (xs[0]?.requests === undefined ? "-" : String(xs[0].requests));
  lines.push([backend, "peak RSS MB / requests (one process, all operations)", `${rss(r.ts)} / ${req(r.ts)}`, `${rss(r.py)} / ${req(r.py)}`, ""].join(" | "));
}
console.log(lines.join("\n"));
mkdirSync(join(root, "bench/results"), { recursive: true });
const file = join(root, "bench/results", `wide-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ columns: Number(values.columns), rows: Number(values.rows), rounds, results }, null, 1));
console.log(`\nwritten ${file}`);
