/**
 * `ratzarr cp` and `ratzarr diff` as a user runs them (the packed tarball
 * installed into an empty project with the AWS SDK, `npx ratzarr …`), and
 * `info`, `head`, `verify` on S3: local → S3 → local is byte for byte the
 * same tree; an https:// source with and without a listing; a copy killed
 * midway leaves no valid RAT and a rerun with --force completes it; cp
 * refuses a destination that holds something; diff's exit status counts the
 * differing columns. S3 parts run against the servers this test run started
 * (RATZARR_S3=moto or all) and are skipped without them.
 */
import { test } from "uvu";
import { installedCli, sampleRatScript } from "../helpers/installed-cli.js";
import * as assert from "uvu/assert";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { RatZarr } from "../../src/node/index.js";
import { removeLocalPaths, s3Servers, testBackends } from "../helpers/backends.js";
import { StaticServer } from "../helpers/http-server.js";

const root = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "ratzarr-cp-"));
let app = "";
const rat = join(work, "seg.zarr");
const big = join(work, "big.zarr");
const env = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false", NODE_NO_WARNINGS: "1" };

interface Run { status: number; signal: NodeJS.Signals | null; out: string; err: string }

/** `npx ratzarr ...args` in the project (asynchronously: an HTTP server of this process must keep answering). */
function ratzarr(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return run("npx", ["--no-install", "ratzarr", ...args], extraEnv);
}

function run(cmd: string, args: readonly string[], extraEnv: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: app, env: { ...env, ...extraEnv } });
    let out = "", err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ status: code ?? -1, signal, out, err }));
    if (child.pid !== undefined) onSpawn?.(child.pid);
  });
}

/** Every file under `dir` (relative path → bytes). */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p).split("\\").join("/"), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** The two folders hold the same files with the same bytes, a root zarr.json among them. */
function assertSameTree(a: string, b: string): void {
  const [ta, tb] = [tree(a), tree(b)];
  assert.equal([...tb.keys()].sort(), [...ta.keys()].sort(), `same files in ${a} and ${b}`);
  for (const [k, v] of ta) assert.ok(v.equals(tb.get(k)!), `${k}: same bytes`);
  assert.ok(ta.has("zarr.json") && ta.has("RAT/zarr.json"), "the tree holds a RAT");
}

/** A copy of the small RAT with column "name" deleted: another RAT to copy over one. */
async function smallerRat(): Promise<string> {
  const path = fresh("smaller");
  cpSync(rat, path, { recursive: true });
  const rz = await RatZarr.open(path, { create: false });
  await rz.deleteColumn("name");
  await rz.close();
  return path;
}

/** A fresh path in the work folder. */
let counter = 0;
const fresh = (label: string): string => join(work, `${label}-${++counter}.zarr`);

test.before(async () => {
  app = installedCli().app;
  // Written with the installed package: 10 rows in chunks of 4; a NaN, strings, width 3, int64, a column with no chunk.
  // And a bigger one (8 columns of 300000 rows in chunks of 200: 12000 chunks) that takes a moment to copy.
  const script = `
    import { RatZarr } from "ratzarr";
    const b = await RatZarr.open(${JSON.stringify(big)});
    await b.setChunkSize(200);
    await b.setRowCount(300000);
    for (let c = 0; c < 8; c++) {
      await b.createColumn("c" + c, "float64");
      await b.writeBlock("c" + c, Float64Array.from({ length: 300000 }, (_, i) => Math.sin(i * (c + 1))), 0);
    }
    await b.close();
  `;
  installedCli().script(sampleRatScript(rat, { nanRow: 2 }));
  installedCli().script(script);
});

test.after(() => {
  removeLocalPaths();
  rmSync(work, { recursive: true, force: true });
});

test("cp local → local: the same bytes, verified; --json summary; lock, temporary and stray files left behind", async () => {
  const messy = fresh("messy");
  cpSync(rat, messy, { recursive: true });
  writeFileSync(join(messy, "notes.txt"), "not part of the RAT");
  writeFileSync(join(messy, "RAT/area/c/__0.ratzarr-lock"), JSON.stringify({ pid: 1, host: "h", time: 0 }));
  writeFileSync(join(messy, "RAT/area/c/9"), "a chunk outside the grid");
  const dst = fresh("copy");
  const r = await ratzarr(["cp", messy, dst]);
  assert.is(r.status, 0, r.err);
  assert.match(r.out, /^copied 19 objects \(/m);
  assert.match(r.out, /left behind 2 source keys that are not part of the RAT/);
  assert.match(r.out, /verified in [\d.]+ s, no problems/);
  assertSameTree(rat, dst);
  const j = await ratzarr(["cp", rat, fresh("copy"), "--json"]);
  assert.is(j.status, 0, j.err);
  const summary = JSON.parse(j.out) as { objects: number; bytes: number; seconds: number; verified: boolean };
  assert.equal([summary.objects, summary.verified], [19, true]);
  assert.is(summary.bytes, [...tree(rat).values()].reduce((n, b) => n + b.length, 0));
  const rz = await RatZarr.open(dst, { readOnly: true });
  assert.equal(await rz.readBlock("big", 9, 1), BigInt64Array.of(9000000000000000009n));
  await rz.close();
  // A copy is checked, not trusted: a chunk that does not decode is copied as it is and reported.
  const corrupt = fresh("corrupt");
  cpSync(rat, corrupt, { recursive: true });
  writeFileSync(join(corrupt, "RAT/area/c/1"), "not zstd");
  const bad = await ratzarr(["cp", corrupt, fresh("copy")]);
  assert.is(bad.status, 1, bad.err);
  assert.match(bad.out, /^CHUNK-DECODE RAT\/area\/c\/1: .*\(8 bytes stored\)$/m);
  assert.match(bad.out, /: 1 problem after the copy$/m);
  const some = fresh("some");
  const c = await ratzarr(["cp", rat, some, "--columns", "area,rgb"]);
  assert.is(c.status, 0, c.err);
  assert.equal(readdirSync(join(some, "RAT")).sort(), ["area", "rgb", "zarr.json"]);
  const d = await ratzarr(["diff", rat, some]);
  assert.is(d.status, 3, d.out);
  assert.match(d.out, /^column "ok": only in A$/m);
  const none = await ratzarr(["cp", rat, fresh("none"), "--columns", "area,nosuch"]);
  assert.is(none.status, 1);
  assert.match(none.err, /no column "nosuch" in the source/);
});

test("cp refuses a destination that holds anything; --force replaces a RAT but never something else", async () => {
  const dst = await smallerRat();
  const r = await ratzarr(["cp", rat, dst]);
  assert.is(r.status, 1);
  assert.match(r.err, /already holds 15 objects; refusing/);
  assert.not.ok(existsSync(join(dst, "RAT/name/zarr.json")), "left as it was");
  const other = fresh("other");
  mkdirSync(other);
  writeFileSync(join(other, "thesis.tex"), "precious");
  const f = await ratzarr(["cp", rat, other, "--force"]);
  assert.is(f.status, 1);
  assert.match(f.err, /not a RAT .*not removed/);
  assert.is(readFileSync(join(other, "thesis.tex"), "utf8"), "precious");
  const forced = await ratzarr(["cp", rat, dst, "--force"]);
  assert.is(forced.status, 0, forced.err);
  assertSameTree(rat, dst);
  const self = await ratzarr(["cp", rat, join(rat, "inner.zarr")]);
  assert.is(self.status, 2);
  assert.match(self.err, /same place or one is inside the other/);
  const http = await ratzarr(["cp", rat, "https://example.com/x.zarr"]);
  assert.is(http.status, 2);
});

/** Start `ratzarr cp big dst` and send `signal` once the copy has written some chunks; the run's result. */
async function interruptedCopy(dst: string, signal: NodeJS.Signals): Promise<Run> {
  let pid = 0;
  // The installed executable itself (npx would stand between the signal and the command).
  const running = run(join(app, "node_modules/.bin/ratzarr"), ["cp", big, dst], {}, (p) => (pid = p));
  for (let i = 0; i < 2000; i++) {
    // Chunks stored for good: their names are the chunk numbers (lock, staging and temporary files of writes in flight are not).
    const written = existsSync(join(dst, "RAT/c0/c")) ? readdirSync(join(dst, "RAT/c0/c")).filter((n) => /^\d+$/.test(n)).length : 0;
    if (written >= 20) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  process.kill(pid, signal);
  return running;
}

/** `dst` is not a RAT: no root zarr.json, refused by open and by verify. */
async function assertNotValid(dst: string): Promise<void> {
  assert.not.ok(existsSync(join(dst, "zarr.json")), "no root zarr.json");
  assert.is(await RatZarr.isValidRatZarr(dst), false);
  try {
    await (await RatZarr.open(dst, { create: false })).close();
    assert.unreachable("opened an interrupted copy");
  } catch (e) {
    assert.is((e as { code?: string }).code, "not-a-rat", String(e));
  }
  const v = await ratzarr(["verify", dst]);
  assert.is(v.status, 1);
  assert.match(v.out, /^METADATA zarr\.json: missing/m);
}

test("an interrupted cp (SIGKILL, SIGINT) leaves no valid RAT; a rerun with --force completes the copy", async () => {
  const killed = fresh("killed");
  const k = await interruptedCopy(killed, "SIGKILL");
  assert.is(k.signal, "SIGKILL");
  await assertNotValid(killed);
  const stopped = fresh("stopped");
  const s = await interruptedCopy(stopped, "SIGINT");
  assert.is(s.status, 130, s.err);
  assert.match(s.err, /interrupted after \d+ of 12010 objects; .* not a RAT: run the copy again with --force/);
  await assertNotValid(stopped);
  const again = await ratzarr(["cp", big, killed]);
  assert.is(again.status, 1, "no --force: refused");
  const forced = await ratzarr(["cp", big, killed, "--force"]);
  assert.is(forced.status, 0, forced.err);
  assert.match(forced.out, /copied 12010 objects/);
  assertSameTree(big, killed);
});

test("cp and diff from an https:// source: listing when the server has one, chunk keys from the grid (and --columns) when not", async () => {
  // Served from a folder of its own: with a listing, the server lists everything it serves.
  const served = join(work, "served");
  cpSync(rat, join(served, "seg.zarr"), { recursive: true });
  for (const listing of [true, false]) {
    const server = await StaticServer.start(served, { listing });
    try {
      const url = server.url("seg.zarr");
      const dst = fresh(`http-${listing}`);
      if (!listing) {
        const refused = await ratzarr(["cp", url, dst]);
        assert.is(refused.status, 1);
        assert.match(refused.err, /cannot list .*--columns/);
      }
      const r = await ratzarr(["cp", url, dst, ...(listing ? [] : ["--columns", "area,big,name,ok,rgb"])]);
      assert.is(r.status, 0, r.err);
      if (!listing) assert.match(r.out, /chunk keys tried from the chunk grids, 3 not stored/);
      assertSameTree(rat, dst);
      // diff of the served RAT and its copy: a server without a listing needs --columns, as RatZarr.open does.
      const d = await ratzarr(["diff", url, dst, ...(listing ? [] : ["--columns", "area,big,name,ok,rgb"])]);
      assert.is(d.status, 0, d.out + d.err);
    } finally {
      await server.close();
    }
  }
});

test("diff: equal RATs exit 0; values changed in 2 columns exit 2 naming the rows; row count and column set count", async () => {
  const same = await ratzarr(["diff", rat, rat]);
  assert.is(same.status, 0, same.err);
  assert.match(same.out, /equal \(10 rows\)/);
  const changed = fresh("changed");
  cpSync(rat, changed, { recursive: true });
  const rz = await RatZarr.open(changed, { create: false, onWarning: () => undefined });
  await rz.writeBlock("area", Float64Array.of(99, NaN), 4);
  await rz.writeBlock("name", ["changed"], 9);
  await rz.close();
  const d = await ratzarr(["diff", rat, changed]);
  assert.is(d.status, 2, d.err);
  assert.match(d.out, /^column "area": 2 of 10 rows differ:\n +row +A +B\n +4 +6 +99\n +5 +7\.5 +NaN\n/m);
  assert.match(d.out, /^column "name": 1 of 10 rows differ:\n.*\n +9 +r +changed\n/m);
  assert.match(d.out, /2 differences \(2 columns\)/);
  const j = JSON.parse((await ratzarr(["diff", rat, changed, "--json", "--columns", "area"])).out) as { differences: number; columns: { name: string; differingRows: number; firstRows: { row: number; a: unknown; b: unknown }[] }[] };
  assert.is(j.differences, 1);
  assert.equal(j.columns[0]!.firstRows, [{ row: 4, a: 6, b: 99 }, { row: 5, a: 7.5, b: "NaN" }]);

  const reshaped = fresh("reshaped");
  cpSync(rat, reshaped, { recursive: true });
  const rz2 = await RatZarr.open(reshaped, { create: false });
  await rz2.setRowCount(12);
  await rz2.deleteColumn("big");
  await rz2.createColumn("extra", "int32");
  await rz2.close();
  const r = await ratzarr(["diff", rat, reshaped]);
  assert.is(r.status, 3, r.out + r.err);
  assert.match(r.out, /^rows: 10 in A, 12 in B \(values compared over the first 10\)$/m);
  assert.match(r.out, /^column "big": only in A$/m);
  assert.match(r.out, /^column "extra": only in B$/m);
  assert.match(r.out, /3 differences \(2 columns, the row count\)/);
  const missing = await ratzarr(["diff", rat, reshaped, "--columns", "nosuch"]);
  assert.is(missing.status, 1);
  assert.match(missing.err, /no column "nosuch" in either RAT/);
});

for (const server of s3Servers()) {
  const s3Env = { AWS_ENDPOINT_URL: server.endpoint, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: server.region, AWS_EC2_METADATA_DISABLED: "true" };

  test(`${server.name}: cp local → s3 → local byte for byte; info, head, verify, diff on s3`, async () => {
    const backend = (await testBackends()).find((b) => b.name === server.name)!;
    const url = await backend.newPath("cp");
    const up = await ratzarr(["cp", rat, url], s3Env);
    assert.is(up.status, 0, up.err);
    assert.match(up.out, new RegExp(`^copied 19 objects .* to ${url.replace(/[.]/g, "\\.")} `, "m"));
    const back = fresh(`from-${server.name}`);
    const down = await ratzarr(["cp", url, back], s3Env);
    assert.is(down.status, 0, down.err);
    assertSameTree(rat, back);

    const info = await ratzarr(["info", url], s3Env);
    assert.is(info.status, 0, info.err);
    assert.match(info.out, /^rows +10$/m);
    assert.match(info.out, /^chunks +12 stored of 15$/m);
    const head = await ratzarr(["head", url, "--rows", "1:3", "--columns", "area,name"], s3Env);
    assert.is(head.status, 0, head.err);
    assert.is(head.out, "row  area  name\n  1   1.5  \"open water\"\n  2   NaN  \"\"\n");
    const verify = await ratzarr(["verify", url], s3Env);
    assert.is(verify.status, 0, verify.out + verify.err);
    assert.match(verify.out, /no problems \(5 columns, 12 chunks/);
    const d = await ratzarr(["diff", rat, url], s3Env);
    assert.is(d.status, 0, d.out + d.err);

    const taken = await ratzarr(["cp", rat, url], s3Env);
    assert.is(taken.status, 1);
    assert.match(taken.err, /already holds 19 objects/);
    const smaller = await smallerRat();
    const forced = await ratzarr(["cp", smaller, url, "--force", "--json"], s3Env);
    assert.is(forced.status, 0, forced.err);
    assert.equal(JSON.parse(forced.out) as unknown, { objects: 15, bytes: (JSON.parse(forced.out) as { bytes: number }).bytes, seconds: (JSON.parse(forced.out) as { seconds: number }).seconds, verified: true, skipped: 0 });
    const d2 = await ratzarr(["diff", smaller, url], s3Env);
    assert.is(d2.status, 0, d2.out + d2.err);
    const d3 = await ratzarr(["diff", rat, url], s3Env);
    assert.is(d3.status, 1, d3.out + d3.err);
    assert.match(d3.out, /^column "name": only in A$/m);
  });
}

test.run();
