/**
 * The lock and temporary files of the filesystem store: what a crash leaves,
 * who cleans it, and that no lock path can stall or spin a writer.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { FileSystemStore } from "../../src/stores/fs.js";
import { collectKeys } from "../../src/stores/store.js";
import { StoreError } from "../../src/errors.js";
import { RatZarr } from "../../src/node/index.js";
import { campaignReport, campaignScale, campaignSeed, seededRandom } from "../helpers/campaign.js";

/** The store's own file names next to the file of a key whose last segment is `base`. */
const lockName = (base: string) => `__${base}.ratzarr-lock`;
const tempName = (base: string, hex: string) => `__${base}.${hex}.ratzarr-tmp`;
const tempOf = (base: string) => new RegExp(`^__${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[0-9a-f]{12}\\.ratzarr-tmp$`);

/** A pid that no process has (beyond Linux's pid_max). */
const DEAD_PID = 2 ** 30;
const record = (pid: number, host = hostname(), time = Date.now()) => JSON.stringify({ pid, host, time });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-fs-locks-"));
  dirs.push(d);
  return d;
};

/** `call` settled, or "hung" after `ms` (the old lock loop could spin forever). */
async function settle(call: () => Promise<unknown>, ms: number): Promise<{ error?: unknown; hung?: true; elapsed: number }> {
  const t0 = performance.now();
  const r = await Promise.race([call().then(() => ({}), (error: unknown) => ({ error })), sleep(ms).then(() => ({ hung: true as const }))]);
  return { ...r, elapsed: performance.now() - t0 };
}

const t = suite("FileSystemStore locks");

t("a lock file is never seen without its content: it is linked into place complete (an empty lock used to stall the next writer 30 s)", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  const lock = join(root, lockName("k"));
  let seen = 0;
  const bad: string[] = [];
  let stop = false;
  const poll = () => {
    if (stop) return;
    try {
      const text = readFileSync(lock, "utf8");
      seen++;
      try {
        const r = JSON.parse(text) as { pid?: unknown };
        if (typeof r.pid !== "number") bad.push(text);
      } catch {
        bad.push(text);
      }
    } catch {
      // no lock at this moment
    }
    setImmediate(poll);
  };
  setImmediate(poll);
  // Values of 1 MiB and more are written through the threadpool, so the lock is held across
  // event-loop turns where this thread's poller can look (smaller ones are written in one go).
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < 60; i++) await store.set("k", big.fill(i & 255, 0, 1));
  stop = true;
  assert.ok(seen > 0, "the poller saw the lock");
  assert.equal(bad.slice(0, 3), [], `${bad.length} of ${seen} reads of the lock were incomplete`);
});

t("writers SIGKILLed at random moments leave no empty lock, and the next writer gets through at once and cleans up", async () => {
  const rounds = 4 * campaignScale();
  const rand = seededRandom(campaignSeed("fs-lock-kills"));
  const root = fresh();
  const store = new FileSystemStore(root, { lockTimeoutMs: 5000 });
  const keys = ["c/0", "c/0.0", "c/1"];
  const fsUrl = new URL("../../src/stores/fs.ts", import.meta.url).href;
  const run = (key: string, delayMs: number) =>
    new Promise<void>((resolve, reject) => {
      const script = `
        import { FileSystemStore } from ${JSON.stringify(fsUrl)};
        const s = new FileSystemStore(${JSON.stringify(root)});
        const v = new Uint8Array(256);
        await s.set(${JSON.stringify(key)}, v);
        process.stdout.write("ready\\n");
        for (let i = 0; ; i++) i % 2 ? await s.set(${JSON.stringify(key)}, v) : await s.setIfVersion(${JSON.stringify(key)}, v, (await s.getVersioned(${JSON.stringify(key)}))?.version ?? null);
      `;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      let ready = false;
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout.on("data", () => {
        if (ready) return;
        ready = true;
        setTimeout(() => child.kill("SIGKILL"), delayMs);
      });
      // "exit" only once the child is reaped: a zombie would still pass for a live process.
      child.on("exit", (_code, signal) => (ready && signal === "SIGKILL" ? resolve() : reject(new Error(`child ended with ${signal ?? _code} before it was killed: ${err}`))));
    });
  let kills = 0;
  let heldAtKill = 0;
  let maxMs = 0;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await Promise.all(keys.map((k) => run(k, rand() * 25)));
    kills += keys.length;
    for (const key of keys) {
      const base = key.slice(2);
      const lock = join(root, "c", lockName(base));
      const held = existsSync(lock);
      if (held) {
        heldAtKill++;
        const text = readFileSync(lock, "utf8");
        assert.ok(text.length > 0, `round ${r}: the killed writer left an empty lock for ${key}`);
        assert.is((JSON.parse(text) as { pid: number }).pid > 0, true);
      }
      const t0 = performance.now();
      await store.set(key, new Uint8Array([r]));
      const ms = performance.now() - t0;
      times.push(ms);
      maxMs = Math.max(maxMs, ms);
      assert.ok(ms < 1000, `round ${r}: the next writer of ${key} waited ${ms.toFixed(0)} ms`);
      assert.equal(await store.get(key), new Uint8Array([r]));
      // Held at the kill: the lock was broken, and its writer's temporary files went with it.
      if (held) assert.equal(readdirSync(join(root, "c")).filter((n) => tempOf(base).test(n)), [], `round ${r}: temporary files of ${key} left`);
    }
  }
  // A writer killed outside its lock can leave a lock record it was staging: that of a dead process goes at once,
  // and one killed before its record was written (empty, so nobody's) once it is older than staleLockMs.
  await store.removeLeftovers("");
  const left = readdirSync(join(root, "c")).filter((n) => !["0", "0.0", "1"].includes(n));
  for (const n of left) assert.ok(/\.[0-9a-f]{12}\.ratzarr-tmp$/.test(n) && statSync(join(root, "c", n)).size === 0, `left: ${n}`);
  await sleep(60);
  await new FileSystemStore(root, { staleLockMs: 50 }).removeLeftovers("");
  assert.equal(readdirSync(join(root, "c")).sort(), ["0", "0.0", "1"]);
  times.sort((a, b) => a - b);
  campaignReport("fs-lock-kills", { kills, "held a lock when killed": heldAtKill, "empty staging files left": left.length, "next writer median ms": times[times.length >> 1]!.toFixed(1), "next writer max ms": maxMs.toFixed(1) });
});

t("a dangling symlink or a folder at a lock path is a StoreError naming the key at once (a dangling symlink used to spin the lock loop forever)", async () => {
  const root = fresh();
  const store = new FileSystemStore(root, { lockTimeoutMs: 2000 });
  symlinkSync(join(root, "nowhere"), join(root, lockName("k")));
  mkdirSync(join(root, "d"));
  mkdirSync(join(root, "d", lockName("k")));
  for (const [key, what] of [["k", "symbolic link"], ["d/k", "folder"]] as const) {
    for (const call of [() => store.set(key, new Uint8Array(1)), () => store.delete(key), () => store.setIfVersion(key, new Uint8Array(1), null)]) {
      const r = await settle(call, 4000);
      assert.not.ok(r.hung, `${key}: the lock loop never ended`);
      assert.instance(r.error, StoreError);
      assert.match((r.error as Error).message, `"${key}"`);
      assert.match((r.error as Error).message, what);
      assert.ok(r.elapsed < 1000, `${key}: failed after ${r.elapsed.toFixed(0)} ms, not at once`);
    }
  }
});

t("a lock held by a live process is waited for up to lockTimeoutMs, then a StoreError names the key, the lock path, the time and the holder", async () => {
  const root = fresh();
  const store = new FileSystemStore(root, { lockTimeoutMs: 300 });
  const lock = join(root, "a", lockName("k"));
  mkdirSync(join(root, "a"));
  writeFileSync(lock, record(process.pid));
  const r = await settle(() => store.set("a/k", new Uint8Array(1)), 5000);
  assert.instance(r.error, StoreError);
  const msg = (r.error as Error).message;
  assert.match(msg, `"a/k"`);
  assert.match(msg, lock);
  assert.match(msg, "held by another writer for more than 300 ms");
  assert.match(msg, `pid ${process.pid}`);
  assert.ok(r.elapsed >= 290 && r.elapsed < 2000, `gave up after ${r.elapsed.toFixed(0)} ms`);
  assert.ok(existsSync(lock), "a live lock is never broken");
  // The same lock of a dead process is broken at once; an old one whoever holds it.
  writeFileSync(lock, record(DEAD_PID));
  assert.ok((await settle(() => store.set("a/k", new Uint8Array([2])), 5000)).elapsed < 1000);
  writeFileSync(lock, record(process.pid, "elsewhere", Date.now() - 60_000));
  assert.ok((await settle(() => store.set("a/k", new Uint8Array([3])), 5000)).elapsed < 1000);
  assert.equal(await store.get("a/k"), new Uint8Array([3]));
  assert.equal(readdirSync(join(root, "a")), ["k"]);
  // Breakers take turns: while a live one holds the turn, a stale lock is waited for; a dead one's turn is taken over.
  writeFileSync(lock, record(DEAD_PID));
  writeFileSync(join(root, "a", "__k.ratzarr-break"), record(process.pid));
  const waited = await settle(() => store.set("a/k", new Uint8Array([4])), 5000);
  assert.instance(waited.error, StoreError);
  assert.match((waited.error as Error).message, `pid ${DEAD_PID}`);
  assert.ok(waited.elapsed >= 290, `gave up after ${waited.elapsed.toFixed(0)} ms`);
  writeFileSync(join(root, "a", "__k.ratzarr-break"), record(DEAD_PID));
  assert.ok((await settle(() => store.set("a/k", new Uint8Array([5])), 5000)).elapsed < 1000);
  assert.equal(await store.get("a/k"), new Uint8Array([5]));
  assert.equal(readdirSync(join(root, "a")), ["k"]);
});

t("an aborted signal ends the wait for a held lock", async () => {
  const root = fresh();
  const store = new FileSystemStore(root, { lockTimeoutMs: 10_000 });
  writeFileSync(join(root, lockName("k")), record(process.pid));
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const r = await settle(() => store.set("k", new Uint8Array(1), { signal: ac.signal }), 3000);
  assert.instance(r.error, StoreError);
  assert.match((r.error as Error).message, "aborted");
  assert.ok(r.elapsed < 1000);
});

t("a column named zarr.json.ratzarr-lock does not collide with the lock of RAT/zarr.json (a RAT attribute change used to stall, move the column aside and fail with EISDIR)", async () => {
  const root = fresh();
  const store = new FileSystemStore(root, { staleLockMs: 2000, lockTimeoutMs: 5000 });
  const rz = await RatZarr.open(root, { store });
  await rz.setRowCount(3);
  await rz.createColumn("zarr.json.ratzarr-lock", "int32");
  await rz.writeBlock("zarr.json.ratzarr-lock", new Int32Array([1, 2, 3]), 0);
  const r = await settle(async () => (await rz.getRatAttributeMapping()).set("note", "x"), 5000);
  assert.is(r.error, undefined, String(r.error));
  assert.ok(r.elapsed < 1000, `the attribute change took ${r.elapsed.toFixed(0)} ms`);
  assert.equal(await rz.getColumnNames(), ["zarr.json.ratzarr-lock"]);
  assert.equal(await rz.readBlock("zarr.json.ratzarr-lock", 0, 3), new Int32Array([1, 2, 3]));
  assert.is((await rz.getRatAttributeMapping()).get("note"), "x");
});

t("keys that merely end like the store's files are ordinary keys; the store's own names are refused as keys and never listed", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  const ordinary = ["g/k.ratzarr-lock", "g/k.0123456789ab.ratzarr-tmp", "g/__k", "g/zarr.json.ratzarr-lock/zarr.json"];
  for (const k of ordinary) await store.set(k, new Uint8Array([1]));
  await store.set("g/k", new Uint8Array([2]));
  assert.equal(await collectKeys(store.list("g/")), ["g/__k", "g/k", "g/k.0123456789ab.ratzarr-tmp", "g/k.ratzarr-lock", "g/zarr.json.ratzarr-lock/zarr.json"]);
  writeFileSync(join(root, "g", lockName("k")), record(process.pid));
  writeFileSync(join(root, "g", tempName("k", "0123456789ab")), "torn");
  writeFileSync(join(root, "g", "__k.ratzarr-break"), record(process.pid));
  assert.equal(await store.listDir("g"), { keys: ["__k", "k", "k.0123456789ab.ratzarr-tmp", "k.ratzarr-lock"], prefixes: ["zarr.json.ratzarr-lock"] });
  assert.equal((await collectKeys(store.list(""))).length, 5);
  for (const k of [lockName("k"), `g/${tempName("k", "0123456789ab")}`, "g/__k.ratzarr-break", `${lockName("x")}/zarr.json`, ""]) {
    try {
      await store.set(k, new Uint8Array(1));
      assert.unreachable(k);
    } catch (e) {
      assert.instance(e, StoreError);
      assert.match((e as Error).message, `"${k}"`);
    }
  }
});

t("after breaking a stale lock, the writer holding the lock removes that key's temporary files, and only those", async () => {
  const root = fresh();
  const store = new FileSystemStore(root, { lockTimeoutMs: 2000 });
  for (const k of ["c/0", "c/0.0", "c/1"]) await store.set(k, new Uint8Array([1]));
  const c = join(root, "c");
  writeFileSync(join(c, lockName("0")), record(DEAD_PID));
  const garbage = [tempName("0", "0123456789ab"), tempName("0", "ba9876543210")];
  const others = [tempName("0.0", "0123456789ab"), tempName("1", "0123456789ab")];
  for (const n of [...garbage, ...others]) writeFileSync(join(c, n), "left by a writer");
  await store.set("c/0", new Uint8Array([2]));
  assert.equal(readdirSync(c).sort(), ["0", "0.0", "1", ...others].sort());
  // Without a broken lock a temporary file may be another writer's work in progress: kept.
  await store.set("c/1", new Uint8Array([2]));
  assert.equal(readdirSync(c).sort(), ["0", "0.0", "1", ...others].sort());
  assert.equal(await store.get("c/0"), new Uint8Array([2]));
});

t("removeLeftovers removes the lock and temporary files of dead or long-gone writers under a folder, and keeps live ones", async () => {
  const root = fresh();
  const store = new FileSystemStore(root, { staleLockMs: 10_000 });
  for (const k of ["a/c/0", "a/c/1", "a/c/2", "a/b/x", "z/y"]) await store.set(k, new Uint8Array([1]));
  const put = (rel: string, text: string, ageMs = 0) => {
    writeFileSync(join(root, rel), text);
    if (ageMs > 0) utimesSync(join(root, rel), new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
  };
  const hour = 3_600_000;
  const removed = [
    `a/c/${lockName("0")}`, // its process is gone
    `a/c/${tempName("0", "dddddddddddd")}`, // fresh, but its key's lock was a dead writer's
    `a/c/${tempName("0", "bbbbbbbbbbbb")}`, // old
    `a/c/${lockName("2")}`, // another host's, but old
    `a/c/${tempName("2", "cccccccccccc")}`, // a lock staging file of a dead process
    "a/c/__1.ratzarr-break", // a breaker that died
    `a/b/${tempName("x", "eeeeeeeeeeee")}`, // old, in a sub-folder
  ];
  const kept = [
    `a/c/${lockName("1")}`, // live and fresh
    `a/c/${tempName("1", "aaaaaaaaaaaa")}`, // fresh
    "a/c/k.ratzarr-lock", // a key
    `z/${tempName("y", "ffffffffffff")}`, // outside the prefix
  ];
  put(removed[0]!, record(DEAD_PID));
  put(removed[1]!, "chunk bytes");
  put(removed[2]!, "chunk bytes", hour);
  put(removed[3]!, record(process.pid, "elsewhere", Date.now() - hour));
  put(removed[4]!, record(DEAD_PID));
  put(removed[5]!, record(DEAD_PID));
  put(removed[6]!, "chunk bytes", hour);
  put(kept[0]!, record(process.pid));
  put(kept[1]!, "chunk bytes");
  put(kept[2]!, "a key");
  put(kept[3]!, "chunk bytes", hour);
  assert.equal(await store.removeLeftovers("a"), [...removed].sort());
  for (const rel of removed) assert.not.ok(existsSync(join(root, rel)), rel);
  for (const rel of kept) assert.ok(existsSync(join(root, rel)), rel);
  assert.equal(await store.removeLeftovers("a"), []);
  assert.equal(await store.removeLeftovers("missing"), []);
  try {
    await new FileSystemStore(root, { readOnly: true }).removeLeftovers("");
    assert.unreachable();
  } catch (e) {
    assert.instance(e, StoreError);
    assert.match((e as Error).message, "read-only");
  }
});

t.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
t.run();
