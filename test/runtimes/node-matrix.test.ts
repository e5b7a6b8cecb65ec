/**
 * The engine's own unit suites on Node 20 (the Node running the tests), 22 and
 * 24 (from scripts/runtimes.sh), each with every zstd backend that Node has:
 * RATZARR_ZSTD=native (zstd-napi), zlib (node:zlib, Node 22.15+ only) and wasm
 * (numcodecs). One child `<node> --import tsx scripts/run-tests.ts <files>` per
 * pair, one after another, with RATZARR_S3=off and RATZARR_RUNTIMES=off (no S3
 * servers, no runtime installs; scripts/gdal.sh still runs, a silent ~0.1 s
 * check when GDAL is here, and none of these suites use GDAL or Python). Each
 * must exit 0, end with `N passed, 0 failed`, have loaded every file asked for,
 * and print `zstd backend: <the one asked for>`: a forced backend that cannot
 * load falls back to WASM, and that fails here.
 *
 * The suites: test/codecs, test/format, test/rat (local disk and memory only:
 * the child has no S3 servers, and RATZARR_TEST_S3_SERVERS is taken out of its
 * environment so it cannot reach the parent's) and spec-tests/fixtures.test.ts
 * (zarr-python's zstd arrays, committed, no Python), i.e. everything that goes
 * through the zstd backend the Node runtime picks. Left out:
 * test/codecs/zstd-backends.test.ts and zstd-zlib.test.ts, which test the
 * backends by name rather than through RATZARR_ZSTD and each start nested
 * run-tests.ts runs of their own (about 11 s each; zstd-backends also needs
 * .venv's Python); they run in the parent suite anyway.
 *
 * Measured on the 2-core dev machine (31 files, 345 tests per child, full set
 * on every pair, so no smaller subset is needed): Node 20.20 native 15.1 s,
 * wasm 18.3 s; Node 22.23 native 11.2 s, zlib 12.6 s, wasm 11.7 s; Node 24.22
 * native 10.5 s, zlib 11.5 s, wasm 13.9 s: about 1 min 45 s for all eight.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { binary, root, type RuntimeName } from "./harness.js";

/** The test files each child runs, relative to the repository. */
const SKIP = new Set(["test/codecs/zstd-backends.test.ts", "test/codecs/zstd-zlib.test.ts"]);
const FILES = [
  ...["test/codecs", "test/format", "test/rat"].flatMap((d) =>
    readdirSync(join(root, d))
      .filter((n) => n.endsWith(".test.ts"))
      .sort()
      .map((n) => `${d}/${n}`),
  ),
  "spec-tests/fixtures.test.ts",
].filter((f) => !SKIP.has(f));

/** The name `zstd().name` starts with for each RATZARR_ZSTD choice. */
const BACKENDS = { native: "native", zlib: "node:zlib", wasm: "wasm" } as const;
type Backend = keyof typeof BACKENDS;

/** node:zlib has zstd from Node 22.15 (and in every 23+). */
function hasZlibZstd(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 15);
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly ms: number;
}

/** Run `bin` with `args` in the repository, stdout and stderr together; killed after `timeoutMs`. */
function run(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (output += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (output += s));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: output.replace(/\u001b\[[0-9;]*m/g, ""), ms: Date.now() - start });
    });
  });
}

/**
 * The child's last lines, for a failure message. Without uvu's totals (`Total:`, `Passed:`,
 * `Skipped:`, `Duration:`): scripts/run-tests.ts reads the first such lines in this process's
 * output, and a failure message quoting a child's would stand in for the parent's.
 */
const tail = (s: string, lines = 60): string =>
  s
    .trimEnd()
    .split("\n")
    .filter((l) => !/^\s*(Total|Passed|Skipped|Duration):/.test(l))
    .slice(-lines)
    .map((l) => `  | ${l}`)
    .join("\n");

/** The child's environment: this one's, without what the parent run set for its own children. */
function childEnv(backend: Backend): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RATZARR_S3: "off", RATZARR_RUNTIMES: "off", RATZARR_ZSTD: backend, NO_COLOR: "1" };
  delete env["RATZARR_TEST_S3_SERVERS"];
  delete env["FORCE_COLOR"];
  return env;
}

const NODES: readonly (readonly [label: string, name: RuntimeName | undefined])[] = [
  ["20 (current)", undefined],
  ["22", "node22"],
  ["24", "node24"],
];

for (const [label, name] of NODES) {
  for (const backend of Object.keys(BACKENDS) as Backend[]) {
    test(`Node ${label}, RATZARR_ZSTD=${backend}: codec, format, RAT and fixture suites`, async () => {
      // binary() returns undefined after saying why on a developer machine, and fails the test in CI.
      const bin = name === undefined ? process.execPath : binary(name);
      if (bin === undefined) return;
      const version = name === undefined ? process.version : execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
      if (backend === "zlib" && !hasZlibZstd(version)) {
        console.log(`    Node ${version}: RATZARR_ZSTD=zlib skipped, node:zlib has no zstd before 22.15`);
        return;
      }
      const r = await run(bin, ["--import", "tsx", join(root, "scripts/run-tests.ts"), ...FILES], childEnv(backend), 300_000);
      const what = `Node ${version} RATZARR_ZSTD=${backend} (${r.ms} ms)`;
      const context = `\n--- last lines of the child's output ---\n${tail(r.output)}`;
      assert.ok(r.code === 0, `${what}: exit ${r.code ?? r.signal}${context}`);
      const chosen = /^zstd backend: (.*)$/m.exec(r.output)?.[1];
      assert.ok(chosen?.startsWith(BACKENDS[backend]) === true, `${what}: asked for ${backend}, ran ${chosen ?? "(no 'zstd backend:' line)"}${context}`);
      const files = /^(\d+) test files$/m.exec(r.output)?.[1];
      assert.ok(Number(files) === FILES.length, `${what}: ${files ?? "no"} test files run, ${FILES.length} asked for${context}`);
      const last = r.output.trimEnd().split("\n").at(-1) ?? "";
      const m = /^(\d+) passed, 0 failed$/.exec(last);
      assert.ok(m !== null && Number(m[1]) > 0, `${what}: last line ${JSON.stringify(last)}${context}`);
      console.log(`    Node ${version}, zstd backend ${chosen}: ${last} (${(r.ms / 1000).toFixed(1)} s)`);
    });
  }
}

test.run();
