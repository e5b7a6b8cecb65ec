/**
 * docs/FORMAT.md section 7: which objects each change writes, the versioned
 * read-modify-write, S3's If-Match/If-None-Match (on a fake S3 client that
 * records every request), and the lock files of the filesystem store.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { FileSystemStore, RatZarr } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { S3Store } from "../../src/stores/s3.js";
import { LockFiles } from "../../src/stores/fs-lock.js";
import { DEFAULT_MAX_ATTEMPTS } from "../../src/format/conditional.js";
import { NodeError, StoreError } from "../../src/errors.js";
import type { Store, StoreOptions } from "../../src/stores/store.js";
import type { JsonObject } from "../../src/codecs/codec.js";
import { cleanup, editJson, keys, quiet, recording, tempDir, text } from "./helpers.js";

const t = suite("format: concurrency");
t.after.each(cleanup);

const attrsOf = async (store: Store, key: string) => (JSON.parse(await text(store, key)) as { attributes: JsonObject }).attributes;

t("F-7.1 F-7.2: each change writes only its objects (whole chunks unconditionally, the rest conditionally), in the table's order; an unchanged zarr.json is not rewritten", async () => {
  const { store, writes } = recording(new MemoryStore());
  const take = () => writes.splice(0).map((w) => `${w.op} ${w.key}`);
  const rz = await RatZarr.open(store, quiet);
  assert.equal(take(), ["setIfVersion RAT/zarr.json", "setIfVersion zarr.json"]);
  await rz.setChunkSize(4);
  assert.equal(take(), ["setIfVersion RAT/zarr.json"]);
  await rz.setRowCount(10);
  assert.equal(take(), ["setIfVersion RAT/zarr.json"]);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "int32");
  assert.equal(take(), ["setIfVersion RAT/a/zarr.json", "setIfVersion RAT/b/zarr.json"]);
  await rz.writeBlock("a", Int32Array.from({ length: 8 }, (_, i) => i + 1), 0);
  assert.equal(take(), ["set RAT/a/c/0", "set RAT/a/c/1", "setIfVersion RAT/a/zarr.json"]);
  // The edge chunk's existing rows are all of it: a whole chunk. Part of a chunk: conditional.
  await rz.writeBlock("a", Int32Array.from([9, 10]), 8);
  assert.equal(take(), ["set RAT/a/c/2"]);
  await rz.writeBlock("a", Int32Array.from([60]), 5);
  assert.equal(take(), ["setIfVersion RAT/a/c/1"]);
  await (await rz.getColumnAttributeMapping("b")).set("units", "m");
  assert.equal(take(), ["setIfVersion RAT/b/zarr.json"]);
  await (await rz.getColumnAttributeMapping("b")).set("units", "m");
  await rz.setRowCount(10);
  assert.equal(take(), []);
  await rz.setRowCount(6);
  const shrink = take();
  assert.equal(shrink.at(-1), "setIfVersion RAT/zarr.json");
  assert.equal(shrink.filter((w) => w.startsWith("setIfVersion RAT/a/") || w.startsWith("delete RAT/a/")), ["setIfVersion RAT/a/c/1", "delete RAT/a/c/2", "setIfVersion RAT/a/zarr.json"]);
  assert.equal(shrink.filter((w) => w.includes("RAT/b/")), ["setIfVersion RAT/b/zarr.json"]);
  await rz.deleteColumn("b");
  assert.ok(take().every((w) => / RAT\/b(\/|$)/.test(w)));
  await rz.close();
  assert.equal(await keys(store), ["RAT/a/c/0", "RAT/a/c/1", "RAT/a/zarr.json", "RAT/zarr.json", "zarr.json"]);
});

/** A store whose first conditional write of `key` loses to another writer: `other` changes the key just before it. */
function racing(inner: MemoryStore, key: string, other: () => Promise<void>): Store {
  let raced = false;
  return {
    get: (k, o) => inner.get(k, o),
    list: (p, o) => inner.list(p, o),
    listDir: (p, o) => inner.listDir(p, o),
    set: (k, v, o) => inner.set(k, v, o),
    delete: (k, o) => inner.delete(k, o),
    getVersioned: (k, o) => inner.getVersioned(k, o),
    deleteIfVersion: (k, e, o) => inner.deleteIfVersion(k, e, o),
    async setIfVersion(k: string, v: Uint8Array, e: string | null, o?: StoreOptions) {
      if (k === key && !raced) {
        raced = true;
        await other();
      }
      return inner.setIfVersion(k, v, e, o);
    },
  };
}

t("F-7.2: a read-modify-write that loses re-reads and re-applies; creation only if absent; whole chunks unconditional; different rows of one chunk both land", async () => {
  assert.is(DEFAULT_MAX_ATTEMPTS, 60);
  const inner = new MemoryStore();
  await (await RatZarr.open(inner, quiet)).close();
  const other = () => editJson(inner, "RAT/zarr.json", (doc) => void ((doc["attributes"] as JsonObject)["theirs"] = 1));
  const rz = await RatZarr.open(racing(inner, "RAT/zarr.json", other), quiet);
  await (await rz.getRatAttributeMapping()).set("mine", 2);
  await rz.close();
  assert.equal(await attrsOf(inner, "RAT/zarr.json"), { ROWCOUNT: 0, CHUNKSIZE: 500000, theirs: 1, mine: 2 });
  // A chunk: another writer's rows land between our read and our write; both survive.
  const rows = await RatZarr.open(inner, quiet);
  await rows.setChunkSize(4);
  await rows.setRowCount(8);
  await rows.createColumn("a", "int32");
  await rows.close();
  const theirsRows = async () => {
    const h = await RatZarr.open(inner, quiet);
    await h.writeBlock("a", Int32Array.from([7, 7]), 2);
    await h.close();
  };
  const mine = await RatZarr.open(racing(inner, "RAT/a/c/0", theirsRows), quiet);
  await mine.writeBlock("a", Int32Array.from([1, 1]), 0);
  await mine.close();
  const check = await RatZarr.open(inner, { readOnly: true });
  assert.equal(Array.from(await check.readBlock<"int32">("a", 0, 4)), [1, 1, 7, 7]);
  await check.close();
  // Two creators of one column: one wins, the other is told.
  const [x, y] = [await RatZarr.open(inner, quiet), await RatZarr.open(inner, quiet)];
  const results = await Promise.allSettled([x.createColumn("c", "int8"), y.createColumn("c", "int8")]);
  assert.equal(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
  assert.instance(lost.reason, NodeError);
  assert.is((lost.reason as NodeError).code, "exists");
  await Promise.all([x.close(), y.close()]);
});

/** A fake S3 client: objects with ETags, conditional PUTs as AWS answers them (quoted ETags), every request recorded. */
class FakeS3 {
  readonly objects = new Map<string, { data: Uint8Array; etag: string }>();
  readonly sent: { name: string; input: Record<string, unknown> }[] = [];
  private n = 0;
  /** Called before each conditional PUT is judged: a chance for "another writer" to get in first. */
  beforePut: ((key: string) => void) | undefined;
  /** The status a refused conditional PUT answers: 412, or 409 as some servers send for a concurrent change. */
  conflictStatus = 412;

  put(key: string, data: Uint8Array): string {
    const etag = `"etag-${++this.n}"`;
    this.objects.set(key, { data, etag });
    return etag;
  }

  async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    const name = command.constructor.name;
    const input = command.input;
    this.sent.push({ name, input });
    const key = input["Key"] as string;
    const fail = (status: number, code: string) => Object.assign(new Error(code), { name: code, $metadata: { httpStatusCode: status } });
    switch (name) {
      case "GetObjectCommand":
      case "HeadObjectCommand": {
        const o = this.objects.get(key);
        if (o === undefined) throw fail(404, name === "GetObjectCommand" ? "NoSuchKey" : "NotFound");
        const data = o.data;
        return { ETag: o.etag, Body: { transformToByteArray: async () => data } };
      }
      case "PutObjectCommand": {
        this.beforePut?.(key);
        const o = this.objects.get(key);
        const refuse = () => fail(this.conflictStatus, this.conflictStatus === 412 ? "PreconditionFailed" : "ConditionalRequestConflict");
        if (input["IfNoneMatch"] === "*" && o !== undefined) throw refuse();
        if (input["IfMatch"] !== undefined && input["IfMatch"] !== o?.etag) throw refuse();
        return { ETag: this.put(key, input["Body"] as Uint8Array) };
      }
      case "DeleteObjectCommand":
        this.objects.delete(key);
        return {};
      case "DeleteObjectsCommand":
        for (const o of (input["Delete"] as { Objects: { Key: string }[] }).Objects) this.objects.delete(o.Key);
        return {};
      case "ListObjectsV2Command": {
        const prefix = (input["Prefix"] as string) ?? "";
        const all = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
        if (input["Delimiter"] !== "/") return { Contents: all.slice(0, (input["MaxKeys"] as number) ?? all.length).map((Key) => ({ Key })), IsTruncated: false };
        const own = all.filter((k) => !k.slice(prefix.length).includes("/"));
        const dirs = [...new Set(all.filter((k) => k.slice(prefix.length).includes("/")).map((k) => prefix + k.slice(prefix.length).split("/")[0] + "/"))];
        return { Contents: own.map((Key) => ({ Key })), CommonPrefixes: dirs.map((Prefix) => ({ Prefix })), IsTruncated: false };
      }
    }
    throw new Error(`fake S3: ${name} not supported`);
  }
}

t("F-7.3: S3: If-None-Match: * to create, If-Match with the ETag read to change, 412 or 409 read again; an all-fill chunk is PUT with If-Match, not deleted", async () => {
  const s3 = new FakeS3();
  const store = new S3Store({ bucket: "b", prefix: "rat.zarr", client: s3 as never });
  const puts = () => s3.sent.splice(0).filter((c) => c.name === "PutObjectCommand" || c.name.startsWith("Delete")).map((c) => [c.name, c.input["Key"], c.input["IfNoneMatch"] ?? c.input["IfMatch"] ?? null]);
  const rz = await RatZarr.open(store, quiet);
  assert.equal(puts(), [["PutObjectCommand", "rat.zarr/RAT/zarr.json", "*"], ["PutObjectCommand", "rat.zarr/zarr.json", "*"]]);
  await rz.setChunkSize(4);
  puts();
  const etagBefore = s3.objects.get("rat.zarr/RAT/zarr.json")!.etag;
  assert.match(etagBefore, /^"etag-\d+"$/);
  await rz.setRowCount(8);
  assert.equal(puts(), [["PutObjectCommand", "rat.zarr/RAT/zarr.json", etagBefore]]);
  await rz.createColumn("a", "int32");
  assert.equal(puts(), [["PutObjectCommand", "rat.zarr/RAT/a/zarr.json", "*"]]);
  // Another writer changes RAT/zarr.json between our read and our PUT: 412, then read again and re-apply.
  let once = true;
  s3.beforePut = (key) => {
    if (key === "rat.zarr/RAT/zarr.json" && once) {
      once = false;
      s3.put(key, new TextEncoder().encode('{\n  "attributes": {\n    "ROWCOUNT": 8,\n    "CHUNKSIZE": 4,\n    "theirs": 1\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}'));
    }
  };
  await (await rz.getRatAttributeMapping()).set("mine", 2);
  s3.beforePut = undefined;
  const racePuts = puts().filter((p) => p[1] === "rat.zarr/RAT/zarr.json");
  assert.is(racePuts.length, 2);
  assert.equal(await attrsOf(store, "RAT/zarr.json"), { ROWCOUNT: 8, CHUNKSIZE: 4, theirs: 1, mine: 2 });
  // The same with a 409 answer.
  s3.conflictStatus = 409;
  let again = true;
  s3.beforePut = (key) => {
    if (key === "rat.zarr/RAT/a/zarr.json" && again) {
      again = false;
      const cur = new TextDecoder().decode(s3.objects.get(key)!.data);
      s3.put(key, new TextEncoder().encode(cur.replace('"MODIFICATIONLOG": []', '"MODIFICATIONLOG": [],\n    "theirs": 1')));
    }
  };
  await (await rz.getColumnAttributeMapping("a")).set("mine", 3);
  s3.beforePut = undefined;
  assert.is(puts().filter((p) => p[1] === "rat.zarr/RAT/a/zarr.json").length, 2);
  assert.equal(await attrsOf(store, "RAT/a/zarr.json"), { MODIFICATIONLOG: [], theirs: 1, mine: 3 });
  // A whole chunk: a plain PUT. Partial writes: If-Match, also when the chunk ends all fill (no conditional delete on S3).
  await rz.writeBlock("a", Int32Array.from([1, 2, 3, 4]), 0);
  assert.equal(puts().filter((p) => p[1] === "rat.zarr/RAT/a/c/0"), [["PutObjectCommand", "rat.zarr/RAT/a/c/0", null]]);
  await rz.writeBlock("a", Int32Array.from([0, 0]), 0);
  await rz.writeBlock("a", Int32Array.from([0, 0]), 2);
  const chunkOps = puts().filter((p) => p[1] === "rat.zarr/RAT/a/c/0");
  assert.is(chunkOps.length, 2);
  for (const op of chunkOps) {
    assert.is(op[0], "PutObjectCommand");
    assert.match(String(op[2]), /^"etag-\d+"$/);
  }
  assert.ok(s3.objects.has("rat.zarr/RAT/a/c/0"));
  assert.equal(Array.from(await rz.readBlock<"int32">("a", 0, 4)), [0, 0, 0, 0]);
  await rz.close();
});

t("F-7.4: local disk: a key's version is inode-mtime_ns-size; changes wait for the key's lock; bytes land by rename, nothing of the store's left after", async () => {
  const dir = tempDir();
  const store = new FileSystemStore(join(dir, "r.zarr"), { lockTimeoutMs: 300 });
  await store.set("RAT/a/c/0", new Uint8Array([1, 2, 3]));
  const file = join(dir, "r.zarr/RAT/a/c/0");
  const st = statSync(file, { bigint: true });
  assert.is((await store.getVersioned("RAT/a/c/0"))!.version, `${st.ino}-${st.mtimeNs}-${st.size}`);
  await store.set("RAT/a/c/0", new Uint8Array([4, 5, 6, 7]));
  // A new file renamed over the old one: another inode.
  assert.is.not(statSync(file, { bigint: true }).ino, st.ino);
  assert.equal(readdirSync(join(dir, "r.zarr/RAT/a/c")), ["0"]);
  writeFileSync(join(dir, "r.zarr/RAT/a/c/__0.ratzarr-lock"), JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), id: "0123456789ab" }));
  try {
    await store.set("RAT/a/c/0", new Uint8Array([9]));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, StoreError);
    assert.match((e as Error).message, /__0\.ratzarr-lock is held by another writer/);
  }
  assert.equal(Array.from((await store.get("RAT/a/c/0"))!), [4, 5, 6, 7]);
  // The neighbour key "0.0" has a lock of its own: not held up.
  await store.set("RAT/a/c/0.0", new Uint8Array([1]));
});

t("F-7.5: a lock holds {pid, host, time, id}, is never empty, and is removed on release only while it holds its own record", async () => {
  const dir = tempDir();
  const locks = new LockFiles({}, async (d, op) => {
    await mkdir(d, { recursive: true });
    return op();
  });
  const file = join(dir, "RAT/a/c/0");
  mkdirSync(dirname(file), { recursive: true });
  const lock = join(dir, "RAT/a/c/__0.ratzarr-lock");
  const before = Date.now();
  const seen = await locks.withLock("RAT/a/c/0", file, {}, async () => {
    const files = readdirSync(dirname(file));
    return { record: JSON.parse(readFileSync(lock, "utf8")) as Record<string, unknown>, files };
  });
  assert.equal(Object.keys(seen.record), ["pid", "host", "time", "id"]);
  assert.equal([seen.record["pid"], seen.record["host"]], [process.pid, hostname()]);
  assert.ok((seen.record["time"] as number) >= before && (seen.record["time"] as number) <= Date.now());
  assert.match(seen.record["id"] as string, /^[0-9a-f]{12}$/);
  assert.equal(seen.files, ["__0.ratzarr-lock"]);
  assert.equal(readdirSync(dirname(file)), []);
  // Someone else's record in the lock file when we release: left alone.
  const foreign = JSON.stringify({ pid: 1, host: "elsewhere", time: Date.now(), id: "aaaaaaaaaaaa" });
  await locks.withLock("RAT/a/c/0", file, {}, async () => writeFileSync(lock, foreign));
  assert.is(readFileSync(lock, "utf8"), foreign);
});

t("F-7.6: stale locks: a dead process on this host at once, another host's after staleLockMs, a record-less file by its age; the dead writer's temporary files of that key go", async () => {
  const dir = tempDir();
  const root = join(dir, "r.zarr");
  const folder = join(root, "RAT/a/c");
  mkdirSync(folder, { recursive: true });
  const store = new FileSystemStore(root, { lockTimeoutMs: 400 });
  const lock = join(folder, "__0.ratzarr-lock");
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
  writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), time: Date.now(), id: "0123456789ab" }));
  writeFileSync(join(folder, "__0.0123456789ab.ratzarr-tmp"), "half");
  writeFileSync(join(folder, "__0.0.0123456789ab.ratzarr-tmp"), "a neighbour's");
  // Within lockTimeoutMs (400 ms), far below staleLockMs (30 s): broken because its writer is gone.
  await store.set("RAT/a/c/0", new Uint8Array([1]));
  assert.equal(readdirSync(folder).sort(), ["0", "__0.0.0123456789ab.ratzarr-tmp"]);
  const busy = async () => {
    try {
      await store.set("RAT/a/c/0", new Uint8Array([2]));
      return "written";
    } catch (e) {
      assert.instance(e, StoreError);
      return "waited";
    }
  };
  writeFileSync(lock, JSON.stringify({ pid: 1, host: "another-host", time: Date.now(), id: "0123456789ab" }));
  assert.is(await busy(), "waited");
  writeFileSync(lock, JSON.stringify({ pid: 1, host: "another-host", time: Date.now() - 31_000, id: "0123456789ab" }));
  assert.is(await busy(), "written");
  writeFileSync(lock, "not a record");
  assert.is(await busy(), "waited");
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(lock, old, old);
  assert.is(await busy(), "written");
  assert.equal(Array.from((await store.get("RAT/a/c/0"))!), [2]);
});

t.run();
