import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { FileSystemStore } from "../../src/stores/fs.js";
import { collectKeys } from "../../src/stores/store.js";
import { StoreError } from "../../src/errors.js";
import { storeContract } from "./store-contract.js";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-fs-"));
  dirs.push(d);
  return d;
};

const s = suite("FileSystemStore");
storeContract(s, async () => new FileSystemStore(fresh()));

s("keys that escape the root are refused", async () => {
  const store = new FileSystemStore(fresh());
  for (const key of ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/./b", "a\\b", "C:/x", "a/\0"]) {
    try {
      await store.set(key, new Uint8Array(1));
      assert.unreachable(key);
    } catch (e) {
      assert.instance(e, StoreError);
      assert.match((e as Error).message, key.includes("\0") ? "store key" : key);
    }
  }
});

s("a file where a key's folder must be: set, delete and conditional writes fail at once, naming the key (they used to wait on it as on a held lock)", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  await store.set("a/zarr.json", new Uint8Array([1]));
  writeFileSync(join(root, "a/c"), "a file, not a folder");
  const t0 = performance.now();
  for (const call of [() => store.set("a/c/1", new Uint8Array(4)), () => store.delete("a/c/1"), () => store.setIfVersion("a/c/1", new Uint8Array(4), null)]) {
    try {
      await call();
      assert.unreachable("must fail");
    } catch (e) {
      assert.instance(e, StoreError);
      assert.match((e as Error).message, /"a\/c\/1"/);
    }
  }
  assert.ok(performance.now() - t0 < 5000, "failed at once");
  assert.is(await store.get("a/c/1"), undefined);
});

s("a folder removed by another process after this store made it is made again (the store remembers folders it made)", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  await store.set("col/c/0", new Uint8Array([1]));
  rmSync(join(root, "col"), { recursive: true });
  await store.set("col/c/1", new Uint8Array([2]));
  assert.equal(await store.get("col/c/1"), new Uint8Array([2]));
  rmSync(join(root, "col"), { recursive: true });
  assert.is(await store.setIfVersion("col/c/2", new Uint8Array([3]), null) !== undefined, true);
  assert.equal(readdirSync(join(root, "col/c")), ["2"]);
});

s("a write leaves no temporary or lock file, and list never shows one", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  await store.set("a/c/0", new Uint8Array([1, 2, 3]));
  assert.equal(await store.setIfVersion("a/c/0", new Uint8Array([4]), (await store.getVersioned("a/c/0"))!.version) !== undefined, true);
  assert.equal(readdirSync(join(root, "a/c")), ["0"]);
  writeFileSync(join(root, "a/c/__1.0123456789ab.ratzarr-tmp"), "torn");
  writeFileSync(join(root, "a/c/__1.ratzarr-lock"), "{}");
  assert.equal(await collectKeys(store.list("a/")), ["a/c/0"]);
  assert.equal(await store.listDir("a/c"), { keys: ["0"], prefixes: [] });
});

s("a folder where a key's file should be is a StoreError naming the key for every read (it used to read as a missing key, so a column showed fill values)", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  await store.set("RAT/col/c/0", new Uint8Array([1]));
  mkdirSync(join(root, "RAT/col/c/1"));
  writeFileSync(join(root, "RAT/col/c/1/x"), "a file in it");
  const calls: [string, () => Promise<unknown>][] = [
    ["get", () => store.get("RAT/col/c/1")],
    ["range get", () => store.get("RAT/col/c/1", { range: { offset: 0, length: 4 } })],
    ["suffix get", () => store.get("RAT/col/c/1", { range: { suffix: 4 } })],
    ["getVersioned", () => store.getVersioned("RAT/col/c/1")],
    ["setIfVersion", () => store.setIfVersion("RAT/col/c/1", new Uint8Array(1), null)],
    ["deleteIfVersion", () => store.deleteIfVersion("RAT/col/c/1", "1-2-3")],
  ];
  for (const [what, call] of calls) {
    try {
      const got = await call();
      assert.unreachable(`${what} gave ${String(got)}`);
    } catch (e) {
      assert.instance(e, StoreError, what);
      assert.match((e as Error).message, `"RAT/col/c/1"`, what);
      assert.match((e as Error).message, "folder", what);
    }
  }
  assert.ok(existsSync(join(root, "RAT/col/c/1/x")), "the folder is left alone");
  // A file where a folder of the path should be is still a missing key (probing "RAT/somefile/zarr.json").
  assert.is(await store.get("RAT/col/c/0/zarr.json"), undefined);
  assert.is(await store.getVersioned("RAT/col/c/0/zarr.json"), undefined);
  assert.is(await store.get("RAT/col/c/0/zarr.json", { range: { suffix: 1 } }), undefined);
});

s("a writer killed mid-write never leaves a torn chunk", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  const old = new Uint8Array(1 << 20).fill(7);
  await store.set("c/0", old);
  // A child process starts overwriting with 64 MiB and is killed while writing.
  const script = `
    import { FileSystemStore } from ${JSON.stringify(new URL("../../src/stores/fs.ts", import.meta.url).href)};
    const s = new FileSystemStore(${JSON.stringify(root)});
    setTimeout(() => process.kill(process.pid, "SIGKILL"), 30);
    for (;;) await s.set("c/0", new Uint8Array(64 << 20).fill(9));
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60000 });
  assert.is(r.signal, "SIGKILL", r.stderr);
  const got = (await store.get("c/0"))!;
  const ok = (got.length === old.length && got.every((b) => b === 7)) || (got.length === 64 << 20 && got.every((b) => b === 9));
  assert.ok(ok, `torn chunk of ${got.length} bytes`);
});

s("read-only store refuses writes", async () => {
  const root = fresh();
  await new FileSystemStore(root).set("k", new Uint8Array(1));
  const ro = new FileSystemStore(root, { readOnly: true });
  assert.equal(await ro.get("k"), new Uint8Array(1));
  try {
    await ro.set("k", new Uint8Array(2));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, "read-only");
  }
  try {
    await ro.delete("k");
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, "read-only");
  }
});

s("fsync option writes the same bytes", async () => {
  const store = new FileSystemStore(fresh(), { fsync: true });
  await store.set("x/y", new Uint8Array([4, 5]));
  assert.equal(await store.get("x/y"), new Uint8Array([4, 5]));
});

s("deleteDir removes a whole folder", async () => {
  const root = fresh();
  const store = new FileSystemStore(root);
  await store.set("r/a/c/0", new Uint8Array(1));
  await store.set("r/zarr.json", new Uint8Array(1));
  await store.deleteDir("r");
  assert.not.ok(existsSync(join(root, "r")));
});

s.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
s.run();
