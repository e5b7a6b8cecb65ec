/**
 * Several handles (each with its own cache, as separate processes have)
 * changing the same chunk and the same zarr.json at once: nothing is lost,
 * because every read-modify-write is conditional on the version it read.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZarrArray } from "../../src/format/array.js";
import { ZarrGroup } from "../../src/format/group.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FileSystemStore } from "../../src/stores/fs.js";
import type { Store } from "../../src/stores/store.js";
import { NodeError } from "../../src/errors.js";

/** Adds a random delay to every call, so that handles interleave. */
function jittery<S extends Store>(store: S): S {
  const wait = () => new Promise((r) => setTimeout(r, Math.random() * 4));
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || !["get", "set", "delete", "getVersioned", "setIfVersion", "deleteIfVersion"].includes(String(prop))) return v;
      return async (...args: unknown[]) => {
        await wait();
        const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await wait();
        return r;
      };
    },
  });
}

const dirs: string[] = [];
const backends: [string, () => Store][] = [
  ["memory", () => jittery(new MemoryStore())],
  ["filesystem", () => {
    const d = mkdtempSync(join(tmpdir(), "ratzarr-cw-"));
    dirs.push(d);
    return jittery(new FileSystemStore(d));
  }],
];

for (const [name, make] of backends) {
  const t = suite(`concurrent writers (${name})`);

  t("eight handles writing interleaved rows of the same chunks all land", async () => {
    const store = make();
    await ZarrArray.create(store, "x", { shape: [96], dataType: "int32", chunkShape: [32] });
    const handles = await Promise.all(Array.from({ length: 8 }, () => ZarrArray.open(store, "x")));
    // Handle h owns rows r with r % 8 === h, written in blocks of 1 row: every chunk is shared by all 8.
    await Promise.all(handles.map(async (a, h) => {
      for (let r = h; r < 96; r += 8) await a.write(r, Int32Array.from([r + 1000]));
    }));
    const back = await (await ZarrArray.open(store, "x")).read();
    assert.equal(Array.from(back as Int32Array), Array.from({ length: 96 }, (_, r) => r + 1000));
  });

  t("eight handles updating attributes of one array and one group: every key survives", async () => {
    const store = make();
    await ZarrGroup.create(store, "g", { start: true });
    await ZarrArray.create(store, "g/a", { shape: [4], dataType: "uint8", chunkShape: [4], attributes: { MODIFICATIONLOG: [] } });
    await Promise.all(Array.from({ length: 8 }, async (_, h) => {
      const a = await ZarrArray.open(store, "g/a");
      const g = await ZarrGroup.open(store, "g");
      for (let i = 0; i < 3; i++) {
        await a.updateAttributes((attrs) => ({ ...attrs, [`h${h}_${i}`]: i, MODIFICATIONLOG: [...(attrs["MODIFICATIONLOG"] as string[]), `h${h}_${i}`] }));
        await g.updateAttributes((attrs) => ({ ...attrs, [`h${h}_${i}`]: h }));
      }
    }));
    const attrs = (await ZarrArray.open(store, "g/a")).attributes;
    assert.is((attrs["MODIFICATIONLOG"] as string[]).length, 24);
    assert.is(Object.keys(attrs).length, 25);
    assert.is(Object.keys((await ZarrGroup.open(store, "g")).attributes).length, 25);
  });

  t("two handles creating the same array: one wins, the other gets 'already exists'", async () => {
    const store = make();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => ZarrArray.create(store, "same", { shape: [i + 1], dataType: "int8", chunkShape: [1] })));
    const won = results.filter((r) => r.status === "fulfilled");
    assert.is(won.length, 1);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof NodeError && /already exists/.test(r.reason.message), String(r.reason));
    const winner = (won[0] as PromiseFulfilledResult<ZarrArray>).value;
    assert.equal((await ZarrArray.open(store, "same")).shape, winner.shape);
  });

  t("a resize and attribute updates from other handles at once both land", async () => {
    const store = make();
    await ZarrArray.create(store, "x", { shape: [10], dataType: "int16", chunkShape: [4] });
    const [a, b] = await Promise.all([ZarrArray.open(store, "x"), ZarrArray.open(store, "x")]);
    await Promise.all([a.resize([20]), b.updateAttributes((x) => ({ ...x, note: "b" })), b.updateAttributes((x) => ({ ...x, other: 1 }))]);
    const m = await ZarrArray.open(store, "x");
    assert.equal(m.shape, [20]);
    assert.equal(m.attributes, { note: "b", other: 1 });
  });

  t.after(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  t.run();
}

// A lock left by a crashed writer on this host is broken at once.
const locks = suite("filesystem locks");
locks("a lock of a dead process is recovered; a live one is waited for", async () => {
  const d = mkdtempSync(join(tmpdir(), "ratzarr-lock-"));
  try {
    const { writeFileSync, existsSync } = await import("node:fs");
    const { hostname } = await import("node:os");
    const store = new FileSystemStore(d, { lockTimeoutMs: 300 });
    await store.set("k", new Uint8Array([1]));
    // A pid that does not exist (beyond pid_max).
    writeFileSync(join(d, "__k.ratzarr-lock"), JSON.stringify({ pid: 2 ** 30, host: hostname(), time: Date.now() }));
    await store.set("k", new Uint8Array([2]));
    assert.equal(await store.get("k"), new Uint8Array([2]));
    assert.not.ok(existsSync(join(d, "__k.ratzarr-lock")));
    // A live holder (this very process) and a fresh time: we wait, then give up with a clear error.
    writeFileSync(join(d, "__k.ratzarr-lock"), JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }));
    try {
      await store.set("k", new Uint8Array([3]));
      assert.unreachable();
    } catch (e) {
      assert.match((e as Error).message, /held by another writer for more than 300 ms/);
    }
    // An old lock is stale whoever holds it.
    const old = new FileSystemStore(d, { staleLockMs: 10, lockTimeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(d, "__k.ratzarr-lock"), JSON.stringify({ pid: process.pid, host: "elsewhere", time: Date.now() - 1000 }));
    await old.set("k", new Uint8Array([4]));
    assert.equal(await store.get("k"), new Uint8Array([4]));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
locks.run();
