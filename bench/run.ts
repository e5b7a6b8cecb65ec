/**
 * Benchmarks against zarr-python: one command runs a table of cases (see
 * CASES below): write then read one RAT column (default 20 million rows,
 * chunk 500000) of float64, int32, uint16 width 3 and short/long unicode
 * strings, in aligned blocks (= chunk) and unaligned ones (100000 rows in
 * 500000-row chunks); 1000 seeded random single-row reads; and a 100-million-
 * row float64 column streamed block by block for the memory bound (peak RSS).
 * This library and its peers (--peers, default all that are installed) do
 * the same work in the same run on the same data, alternating, each in its own
 * process (so peak RSS is its own):
 * - py: zarr-python 3.1.x (.venv, scripts/python-env.sh) used the way Python
 *   ratzarr uses it (arr[a:b] = block; arr[a:b]): bench/zarr_python_bench.py.
 * - py34: the same script under zarr-python 3.4.x on Python 3.13
 *   (.venv-zarr34, scripts/python-env-zarr34.sh); local disk only (that venv
 *   has no s3fs).
 * - tensorstore: tensorstore's zarr3 driver (C++; in .venv-zarr34),
 *   bench/tensorstore_bench.py: numeric cases only (it has no string type);
 *   local disk and S3 (on Ceph aligned blocks only: radosgw answers the
 *   conditional PUT of its partial-chunk read-modify-write with 412, and
 *   tensorstore retries forever).
 * - zarrita: zarrita.js (devDependency) with its FileSystemStore,
 *   bench/zarrita_bench.ts in plain Node: local disk only; for strings it only
 *   reads (it cannot encode vlen-utf8: this library writes the column, untimed).
 * A peer whose environment is missing is skipped with the reason printed.
 * On S3 (moto, Ceph radosgw) every process talks through a counting proxy,
 * which gives the requests each made.
 *
 *   npm run bench                                   # every case on local disk, every peer
 *   npm run bench -- --quick                        # smoke run: 2 million rows, 1 round, repeat 1
 *   npm run bench -- --cases f64-aligned,f64-unaligned --backends local,moto,ceph
 *   npm run bench -- --peers py,tensorstore         # only these peers beside this library
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
 * Every peer gives both measures for the numeric streaming cases; string cases
 * have the pipeline measure only (on every side), random-row cases time each
 * read. Each peer checks every read against the data it wrote.
 * The memory floor: on local disk, each streaming case also runs this
 * library's bench and the zarr-python ones once with --caller-only (the
 * caller's work alone: blocks made and checked, no library call); their peak
 * RSS is *_caller_rss_mb in the JSON and "caller alone" in bench/table.ts.
 * Prints a table (MB/s of uncompressed data, UTF-8 bytes for strings: best
 * run, worst in brackets; random-row cases give reads/s and ms per read
 * instead) with, per peer, its MB/s, the ratio (its best time / this
 * library's: above 1 is this library faster) and the tight ratio, and writes
 * bench/results/<timestamp>.json (zarr-python 3.1's fields keep their old
 * names: zarr_python_mb_s, ratio, tight_ratio, ...; the other peers' are
 * prefixed zarr_python_34_, tensorstore_, zarrita_).
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    peers: { type: "string", default: "py,py34,tensorstore,zarrita" },
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
type Ours = "ts" | "tswb" | "base";
type Peer = "py" | "py34" | "tensorstore" | "zarrita";
type Impl = Ours | Peer;
/** ours: this library's runs; peers: whether the peers run beside it. */
interface Case { name: string; dtype: string; width?: number; block: "chunk" | number; mode: "stream" | "random"; rows: "base" | "memory"; ours: Ours[]; peers: boolean; s3: boolean }
const CASES: Case[] = [
  { name: "f64-aligned", dtype: "float64", block: "chunk", mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: true },
  { name: "f64-unaligned", dtype: "float64", block: 100000, mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: true },
  { name: "i32-aligned", dtype: "int32", block: "chunk", mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: false },
  { name: "u16w3-aligned", dtype: "uint16", width: 3, block: "chunk", mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: false },
  { name: "str-short-aligned", dtype: "string-short", block: "chunk", mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: false },
  { name: "str-short-unaligned", dtype: "string-short", block: 100000, mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: false },
  { name: "str-long-aligned", dtype: "string-long", block: "chunk", mode: "stream", rows: "base", ours: ["ts", "tswb"], peers: true, s3: false },
  { name: "f64-random-rows", dtype: "float64", block: "chunk", mode: "random", rows: "base", ours: ["ts"], peers: true, s3: false },
  // The peers are left out: the point is this library's peak RSS while streaming.
  { name: "f64-100M-memory", dtype: "float64", block: "chunk", mode: "stream", rows: "memory", ours: ["ts", "tswb"], peers: false, s3: false },
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
// .venv also serves the S3 test servers (moto), so it is made whatever the peers.
execFileSync("bash", [join(root, "scripts/python-env.sh")], { stdio: "inherit" });
const python = join(root, ".venv/bin/python");
const python34 = join(root, ".venv-zarr34/bin/python");
const wanted = values.backends!.split(",").map((b) => b.trim());

/** The peers: label in the table, prefix of their fields in the results JSON. */
const PEERS: Record<Peer, { label: string; prefix: string }> = {
  py: { label: "zarr-python", prefix: "zarr_python" },
  py34: { label: "zarr-python 3.4", prefix: "zarr_python_34" },
  tensorstore: { label: "tensorstore", prefix: "tensorstore" },
  zarrita: { label: "zarrita", prefix: "zarrita" },
};
const askedPeers = values.peers!.split(",").map((p) => p.trim()).filter((p) => p !== "");
for (const p of askedPeers) if (!(p in PEERS)) throw new Error(`unknown peer ${p}; one of ${Object.keys(PEERS).join(", ")}`);
const peerVersions: Partial<Record<Peer, string>> = {};
const skippedPeers: { peer: string; reason: string }[] = [];
const pyVersion = (py: string, code: string): string | Error => {
  try {
    return execFileSync(py, ["-c", code], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (e) {
    return e as Error;
  }
};
let py34HasS3 = false;
if (askedPeers.some((p) => p === "py34" || p === "tensorstore")) {
  // Made by another script (scripts/python-env-zarr34.sh); a missing Python 3.12+ is a reason to skip, not an error.
  const script = join(root, "scripts/python-env-zarr34.sh");
  if (existsSync(script)) {
    try {
      execFileSync("bash", [script], { stdio: "inherit" });
    } catch (e) {
      console.error(`scripts/python-env-zarr34.sh failed: ${(e as Error).message.split("\n")[0]}`);
    }
  }
}
for (const p of askedPeers as Peer[]) {
  let reason: string | undefined;
  if (p === "py") {
    const v = pyVersion(python, "import sys, zarr; print(f'zarr-python {zarr.__version__}, Python {sys.version.split()[0]}')");
    if (v instanceof Error) reason = `.venv does not import zarr: ${v.message.split("\n")[0]}`;
    else peerVersions[p] = v;
  } else if (p === "py34" || p === "tensorstore") {
    const missing = join(root, ".runtimes/zarr34.missing");
    if (!existsSync(python34)) reason = `no .venv-zarr34 (scripts/python-env-zarr34.sh)${existsSync(missing) ? `: ${readFileSync(missing, "utf8").trim()}` : ""}`;
    else {
      const v = p === "py34"
        ? pyVersion(python34, "import sys, zarr, importlib.util as u; print(f'zarr-python {zarr.__version__}, Python {sys.version.split()[0]}' + (' s3fs' if u.find_spec('s3fs') else ''))")
        : pyVersion(python34, "import sys, tensorstore; from importlib.metadata import version; print(f'tensorstore {version(\"tensorstore\")}, Python {sys.version.split()[0]}')");
      if (v instanceof Error) reason = `.venv-zarr34 does not import ${p === "py34" ? "zarr" : "tensorstore"}: ${v.message.split("\n").filter((l) => l.trim() !== "").pop()}`;
      else if (p === "py34" && v.endsWith(" s3fs")) { py34HasS3 = true; peerVersions[p] = v.slice(0, -5); }
      else peerVersions[p] = v;
    }
  } else {
    try {
      const pkg = JSON.parse(readFileSync(join(root, "node_modules/zarrita/package.json"), "utf8")) as { version: string };
      import.meta.resolve("zarrita");
      import.meta.resolve("@zarrita/storage/fs");
      peerVersions[p] = `zarrita ${pkg.version}`;
    } catch (e) {
      reason = `zarrita / @zarrita/storage not installed (npm install): ${(e as Error).message.split("\n")[0]}`;
    }
  }
  if (reason !== undefined) {
    skippedPeers.push({ peer: p, reason });
    console.error(`skipping peer ${p}: ${reason}`);
  }
}
const peers = (askedPeers as Peer[]).filter((p) => peerVersions[p] !== undefined);
for (const p of peers) console.error(`peer ${p}: ${peerVersions[p]}`);
/** Why a peer does not run a case on a backend (undefined: it runs). Printed once per reason. */
const peerGap = (p: Peer, c: Case, backend: string): string | undefined => {
  if (p === "tensorstore" && c.dtype.startsWith("string")) return "tensorstore's zarr3 driver has no string data type";
  // radosgw answers the conditional PUT (If-Match) of tensorstore's partial-chunk read-modify-write with 412, and tensorstore retries forever.
  if (p === "tensorstore" && backend === "ceph" && c.block !== "chunk") return "Ceph radosgw fails tensorstore's conditional PUT (If-Match: 412) of a partial chunk, which it retries forever";
  if (p === "zarrita" && backend !== "local") return "zarrita's bench uses its FileSystemStore (local disk only)";
  if (p === "py34" && backend !== "local" && !py34HasS3) return ".venv-zarr34 has no s3fs (zarr-python's S3 path)";
  return undefined;
};
const gapsSaid = new Set<string>();

const s3 = wanted.some((b) => b !== "local") ? await startS3Servers({ moto: wanted.includes("moto"), ceph: wanted.includes("ceph") }) : undefined;
for (const k of s3?.skipped ?? []) console.error(`skipping ${k.name}: ${k.reason}`);

const work = mkdtempSync(join(tmpdir(), "ratzarr-bench-"));
// This library as users run it: dist/ in plain Node (tsx alone adds ~35 MB of RSS).
execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
const { transformSync } = await import("esbuild");
/** A bench script as plain JavaScript in the work folder, beside the shared data module (bench-data.mjs). */
const compile = (source: string): string => transformSync(source.replace('from "./bench-data.js"', 'from "./bench-data.mjs"'), { loader: "ts", format: "esm", target: "node20" }).code;
writeFileSync(join(work, "bench-data.mjs"), compile(readFileSync(join(root, "bench/bench-data.ts"), "utf8")));
const benchJs = join(work, "ratzarr_bench.mjs");
const source = readFileSync(join(root, "bench/ratzarr_bench.ts"), "utf8").replace('"../src/node/index.js"', JSON.stringify(pathToFileURL(join(root, "dist/node/index.js")).href));
writeFileSync(benchJs, compile(source));
// zarrita's bench the same way: plain Node, its packages resolved from this repository's node_modules.
const zarritaJs = join(work, "zarrita_bench.mjs");
if (peers.includes("zarrita")) {
  const zsource = readFileSync(join(root, "bench/zarrita_bench.ts"), "utf8")
    .replace('"../src/node/index.js"', JSON.stringify(pathToFileURL(join(root, "dist/node/index.js")).href))
    .replace('from "zarrita"', `from ${JSON.stringify(import.meta.resolve("zarrita"))}`)
    .replace('from "@zarrita/storage/fs"', `from ${JSON.stringify(import.meta.resolve("@zarrita/storage/fs"))}`);
  writeFileSync(zarritaJs, compile(zsource));
}
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
  writeFileSync(baselineJs, compile(baseSource));
  for (const c of CASES) if (c.mode === "stream" && !c.ours.includes("base")) c.ours.splice(1, 0, "base");
}
/** callerRss: peak RSS of the process doing the caller's work alone (--caller-only), per side. */
type CaseRuns = { case: Case; backend: string; rows: number; block: number; seconds: number; callerRss: Partial<Record<Impl, number>> } & Record<Impl, Result[]>;
const runs: Record<string, CaseRuns> = {};
try {
  for (const c of chosen) {
    for (const backend of wanted) {
      const server: S3Server | undefined = s3?.servers.find((x) => x.name === backend);
      if (backend !== "local" && (server === undefined || !c.s3)) continue;
      const rows = caseRows(c), block = caseBlock(c);
      const entry: CaseRuns = { case: c, backend, rows, block, ts: [], tswb: [], base: [], py: [], py34: [], tensorstore: [], zarrita: [], seconds: 0, callerRss: {} };
      const impls: Impl[] = [...c.ours];
      if (c.peers) {
        for (const p of peers) {
          const gap = peerGap(p, c, backend);
          if (gap === undefined) impls.push(p);
          else if (!gapsSaid.has(`${p}:${gap}`)) {
            gapsSaid.add(`${p}:${gap}`);
            console.error(`\npeer ${p} skips ${c.name} on ${backend}: ${gap}`);
          }
        }
      }
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
        for (const impl of impls) {
          const proxy = server === undefined ? undefined : await startFaultProxy(server.endpoint, { seed: 1, slowDown: 0, dropBefore: 0, dropAfter: 0 });
          const path = server === undefined ? join(work, `${impl}.zarr`) : `s3://${bucket}/${c.name}-${impl}-${r}.zarr`;
          if (server === undefined) rmSync(path, { recursive: true, force: true });
          const s3Args = server === undefined ? [] : ["--s3", JSON.stringify({ endpoint: proxy!.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, region: server.region })];
          try {
            // Asynchronous: the counting proxy lives in this process's event loop.
            const [cmd, script, extra]: [string, string, string[]] =
              impl === "py" ? [python, join(root, "bench/zarr_python_bench.py"), []]
              : impl === "py34" ? [python34, join(root, "bench/zarr_python_bench.py"), []]
              : impl === "tensorstore" ? [python34, join(root, "bench/tensorstore_bench.py"), []]
              : impl === "zarrita" ? [process.execPath, zarritaJs, []]
              : [process.execPath, impl === "base" ? baselineJs : benchJs, impl === "tswb" ? ["--write-behind", "4"] : []];
            const { stdout: out } = await run(cmd, [script, "--path", path, ...common, ...s3Args, ...extra], { encoding: "utf8", maxBuffer: 1 << 26 });
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
      // The memory floor: the same process doing the caller's work alone (blocks made and
      // checked, no library call), this library's side and the zarr-python sides.
      if (server === undefined && c.mode === "stream") {
        for (const impl of (["ts", "py", "py34"] as const).filter((i) => i === "ts" || impls.includes(i))) {
          const path = join(work, `${impl}-caller.zarr`);
          const [cmd, script] = impl === "ts" ? [process.execPath, benchJs] : [impl === "py" ? python : python34, join(root, "bench/zarr_python_bench.py")];
          const { stdout: out } = await run(cmd, [script, "--path", path, ...common, "--caller-only"], { encoding: "utf8", maxBuffer: 1 << 26 });
          rmSync(path, { recursive: true, force: true });
          entry.callerRss[impl] = (JSON.parse(out.trim().split("\n").pop()!) as Result).peak_rss_mb;
          process.stderr.write("c");
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
// The printed table shows the peers that ran at least once (the results JSON lists them all).
const shown = peers.filter((p) => Object.values(runs).some((r) => r[p].length > 0));
const labels = shown.map((p) => PEERS[p].label);
const header = [
  "case", "ratzarr MB/s (random rows: reads/s, ms/read)",
  ...shown.flatMap((p) => [`${PEERS[p].label} MB/s (same)`, `ratio ${PEERS[p].label}`, `tight ratio ${PEERS[p].label}`]),
  `tight MB/s: ratzarr / ${labels.join(" / ")}`, `peak RSS ratzarr / ${labels.join(" / ")}`,
  `requests ratzarr / ${labels.join(" / ")} (write+read, per process)`,
];
const rowsOut: string[][] = [header];
const table: Record<string, unknown>[] = [];
// Random rows: reads/s of the best run, ms per read of the worst in brackets.
const cell = (s: Summary | undefined, random: boolean) => s === undefined ? "-"
  : random ? `${(s.reads! / s.best).toFixed(0)}/s, ${(s.best * 1000 / s.reads!).toFixed(2)} ms (${(s.worst * 1000 / s.reads!).toFixed(2)} ms)`
  : `${mbps(s.bytes, s.best).toFixed(0)} (${mbps(s.bytes, s.worst).toFixed(0)})`;
const ratioOf = (ts: Summary | undefined, py: Summary | undefined) => (ts !== undefined && py !== undefined ? py.best / ts.best : undefined);
const rx = (x: number | undefined) => (x === undefined ? "-" : `${x.toFixed(2)}x`);
for (const [key, r] of Object.entries(runs)) {
  const random = r.case.mode === "random";
  for (const impl of ["ts", "tswb", "base"] as const) {
    if (r[impl].length === 0) continue;
    for (const op of random ? ["read"] as const : ["write", "read"] as const) {
      const ts = summary(r[impl], op), tsT = summary(r[impl], op, true);
      const of = shown.map((p) => {
        const s = summary(r[p], op), t = summary(r[p], op, true);
        return { p, s, t, ratio: ratioOf(ts, s), tight: ratioOf(tsT, t) };
      });
      const what = random ? `${r.ts[0]?.reads} random rows of` : `${op}, block ${r.block},`;
      const width = r.case.width === undefined ? "" : ` width ${r.case.width}`;
      const name = `${key} ${what} ${r.case.dtype}${width} ${r.rows.toLocaleString("en")} rows, chunk ${chunk}${impl === "tswb" ? ", write-behind 4" : impl === "base" ? `, baseline ${values.baseline}` : ""}`;
      const rate = (s: Summary | undefined) => s === undefined ? undefined : random ? s.reads! / s.best : mbps(s.bytes, s.best);
      rowsOut.push([
        name,
        cell(ts, random),
        ...of.flatMap((x) => [cell(x.s, random), rx(x.ratio), rx(x.tight)]),
        tsT === undefined ? "-" : [tsT, ...of.map((x) => x.t)].map((s) => (s === undefined ? "-" : mbps(s.bytes, s.best).toFixed(0))).join(" / "),
        [ts, ...of.map((x) => x.s)].map((s) => (s === undefined ? "-" : `${s.rss} MB`)).join(" / "),
        ts?.requests === undefined ? "-" : [ts, ...of.map((x) => x.s)].map((s) => s?.requests ?? "-").join(" / "),
      ]);
      const row: Record<string, unknown> = {
        backend: r.backend, case: r.case.name, impl: impl === "tswb" ? "ratzarr write-behind 4" : impl === "base" ? `ratzarr baseline ${values.baseline}` : "ratzarr", op: random ? "random-read" : op, name, rows: r.rows, block: r.block,
        [random ? "ratzarr_reads_s" : "ratzarr_mb_s"]: rate(ts), ratzarr_s: ts?.best, ratzarr_worst_s: ts?.worst,
        ratzarr_tight_mb_s: rate(tsT), ratzarr_peak_rss_mb: ts?.rss, ratzarr_requests: ts?.requests,
        ratzarr_caller_rss_mb: r.callerRss.ts,
      };
      // zarr-python 3.1 keeps the field names of the files before --peers: ratio, tight_ratio, zarr_python_*.
      for (const x of of) {
        const pre = PEERS[x.p].prefix;
        Object.assign(row, {
          [random ? `${pre}_reads_s` : `${pre}_mb_s`]: rate(x.s), [x.p === "py" ? "ratio" : `${pre}_ratio`]: x.ratio,
          [`${pre}_s`]: x.s?.best, [`${pre}_worst_s`]: x.s?.worst,
          [x.p === "py" ? "tight_ratio" : `${pre}_tight_ratio`]: x.tight, [`${pre}_tight_mb_s`]: rate(x.t),
          [`${pre}_peak_rss_mb`]: x.s?.rss, [`${pre}_requests`]: x.s?.requests, [`${pre}_caller_rss_mb`]: r.callerRss[x.p],
        });
      }
      row["bytes"] = ts?.bytes ?? of.find((x) => x.s !== undefined)?.s?.bytes;
      row["case_seconds"] = r.seconds;
      table.push(row);
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
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, args, peers, peer_versions: peerVersions, skipped_peers: skippedPeers, table, runs, total_seconds: totalSeconds }, null, 2) + "\n");
console.log(`results: ${file}`);
console.log(`total time: ${totalSeconds.toFixed(1)} s`);
