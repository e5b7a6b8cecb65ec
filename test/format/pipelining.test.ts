/**
 * Write-behind and read-ahead in the array engine: what a handle writes in
 * the background lands exactly (aligned, unaligned, 2-d, strings), the
 * caller may reuse its array at once, reads see pending writes, a partially
 * written chunk is stored once, failures are reported with the chunk key,
 * two write-behind handles on one chunk both land; a sequential reader gets
 * the next chunks fetched ahead (string chunks decompressed ahead, made into
 * strings when read), and a write through the handle replaces what was fetched.
 */
import { test } from "uvu";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as assert from "uvu/assert";
// The Node entry: native zstd and its worker thread, as users on Node get them.
import "../../src/node/index.js";
import { ZarrArray, type ArrayOptions } from "../../src/format/array.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { StoreOptions } from "../../src/stores/store.js";
import { RatZarrError } from "../../src/errors.js";
import { watchedStringCodecs } from "../helpers/watched-codecs.js";
import { CountingStore } from "../helpers/counting-store.js";
import { rejectsWith } from "../helpers/bytes.js";

function seq(n: number, from: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => from + i + 0.5);
}

async function make(store: MemoryStore, options: ArrayOptions, rows = 1000, chunk = 100, width = 1) {
  const shape = width === 1 ? [rows] : [rows, width];
  const chunkShape = width === 1 ? [chunk] : [chunk, width];
  return ZarrArray.create(store, "a", { shape, dataType: "float64", chunkShape }, options);
}

test("write-behind: unaligned and aligned blocks land exactly after flush; the caller's array may be reused at once", async () => {
  const store = new MemoryStore();
  const a = await make(store, { writeBehind: 3 });
  const want = new Float64Array(1000);
  // Blocks of 37 rows (unaligned), then 200-row aligned blocks over the second half, all with one reused array.
  const scratch = new Float64Array(250);
  for (let s = 0; s < 500; s += 37) {
    const n = Math.min(37, 500 - s);
    const block = scratch.subarray(0, n);
    block.set(seq(n, s));
    await a.write(s, block);
    want.set(block, s);
    block.fill(-1);    // reused at once: must not reach the store
  }
  for (let s = 500; s < 1000; s += 250) {
    scratch.set(seq(250, s * 10));
    await a.write(s, scratch);
    want.set(scratch, s);
    scratch.fill(-2);
  }
  await a.flush();
  const fresh = await ZarrArray.open(store, "a");
  assert.equal(await fresh.read(0, 1000), want);
});

test("write-behind with chunks big enough for the codec worker (320 KB): aligned and unaligned blocks land exactly", async () => {
  const store = new MemoryStore();
  const a = await make(store, { writeBehind: 3 }, 400_000, 40_000);
  const block = new Float64Array(80_000);
  for (let s = 0; s < 240_000; s += 80_000) {
    block.set(seq(80_000, s));
    await a.write(s, block);          // whole chunks: copied, then handed to the worker
    block.fill(-3);
  }
  for (let s = 240_000; s < 400_000; s += 30_000) await a.write(s, seq(Math.min(30_000, 400_000 - s), s));
  await a.flush();
  assert.equal(await (await ZarrArray.open(store, "a")).read(), seq(400_000, 0));
});

test("write-behind: flush right after a partial write stores it (the edit had not run yet when flush began)", async () => {
  const store = new MemoryStore();
  const a = await make(store, { writeBehind: 4 });
  await a.write(5, seq(10, 50));
  await a.flush();
  assert.equal(((await (await ZarrArray.open<"float64">(store, "a")).read(0, 20)) as Float64Array).subarray(5, 15), seq(10, 50));
});

test("write-behind: a chunk written in small blocks is stored once, not once per block", async () => {
  const store = new CountingStore();
  const a = await make(store, { writeBehind: 2 });
  store.reset();
  for (let s = 0; s < 1000; s += 20) await a.write(s, seq(20, s));
  await a.flush();
  assert.is(store.sets, 10, "ten chunks, one store each");
  const b = await make(new CountingStore(), {});
  const plain = b.store as CountingStore;
  plain.reset();
  for (let s = 0; s < 1000; s += 20) await b.write(s, seq(20, s));
  assert.is(plain.sets, 50, "without write-behind: once per block");
  assert.equal(await (await ZarrArray.open(store, "a")).read(), await b.read());
});

test("write-behind: reads through the same handle see writes not yet stored; 2-d and strings too", async () => {
  const store = new MemoryStore();
  const a = await make(store, { writeBehind: 4 }, 300, 50, 3);
  const block = Float64Array.from({ length: 70 * 3 }, (_, i) => i * 1.5);
  await a.write(10, block);
  assert.equal(await a.read(10, 80), block, "read-your-writes before flush");
  await a.flush();
  assert.equal(await (await ZarrArray.open(store, "a")).read(10, 80), block);

  const s = await ZarrArray.create(store, "s", { shape: [100], dataType: "string", chunkShape: [30] }, { writeBehind: 2 });
  const words = Array.from({ length: 45 }, (_, i) => `w${i}é`);
  await s.write(7, words);
  words[0] = "changed";                         // the caller's array, changed after the write
  assert.equal((await s.read(7, 52))[0], "w0é");
  await s.flush();
  const back = await (await ZarrArray.open(store, "s")).read(7, 52);
  assert.equal(back.slice(1), words.slice(1));
  assert.is(back[0], "w0é");
});

test("write-behind: a whole string chunk's strings are not kept alive while its write waits, only its bytes", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // A store whose writes wait until the test lets them go.
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  class Gated extends MemoryStore {
    override async set(key: string, value: Uint8Array, options?: StoreOptions): Promise<void> {
      if (key.endsWith("zarr.json")) return super.set(key, value, options);
      await gate;
      return super.set(key, value, options);
    }
  }
  const store = new Gated();
  const rows = 20_000;
  const a = await ZarrArray.create(store, "s", { shape: [4 * rows], dataType: "string", chunkShape: [rows] }, { writeBehind: 8 });
  const text = (k: number, i: number) => `${k}:${i}:`.padEnd(500, String.fromCharCode(97 + ((k + i) % 26)));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let k = 0; k < 4; k++) {
    let block: string[] | undefined = Array.from({ length: rows }, (_, i) => text(k, i));
    await a.write(k * rows, block);
    block = undefined;
  }
  // Four chunks of 10 MB of strings wait for the store; their encoded bytes live outside the heap.
  await new Promise((r) => setTimeout(r, 50));
  gc();
  gc();
  const held = process.memoryUsage().heapUsed - before;
  open();
  await a.flush();
  assert.ok(held < 15e6, `${Math.round(held / 1e6)} MB of the heap held while the writes wait (the strings are 40 MB)`);
  const back = await a.read(2 * rows, 3 * rows);
  for (let i = 0; i < rows; i += 997) assert.is(back[i], text(2, i));
});

test("write-behind: a failed background write is reported by flush (and the next write), naming the chunk", async () => {
  class FailingStore extends MemoryStore {
    override async set(key: string, value: Uint8Array, options?: StoreOptions): Promise<void> {
      if (key === "a/c/3") throw new Error("disk full");
      return super.set(key, value, options);
    }
  }
  const store = new FailingStore();
  const a = await make(store, { writeBehind: 8 });
  for (let s = 0; s < 600; s += 100) await a.write(s, seq(100, s));    // resolve before chunk 3 fails
  const e = await rejectsWith(() => a.flush(), RatZarrError, /chunk "a\/c\/3"/, /disk full/, /write-behind/);
  assert.match(String((e.cause as Error).message), /disk full/);
  await a.flush();                               // reported once
  await a.write(700, seq(100, 700));
  await a.write(300, seq(100, 300));             // fails again in the background
  await rejectsWith(async () => {
    for (let i = 0; i < 20; i++) await a.write(800, seq(100, 800));
    await a.flush();
  }, RatZarrError, /a\/c\/3/);
  // Everything else is stored.
  const fresh = await ZarrArray.open(store, "a");
  assert.equal(await fresh.read(0, 300), seq(300, 0));
  assert.equal(await fresh.read(400, 600), seq(200, 400));
});

test("write-behind: two handles writing interleaved rows of the same chunks both land (conflicts replayed)", async () => {
  const store = new MemoryStore();
  await make(store, {}, 400, 100);
  const h1 = await ZarrArray.open(store, "a", { writeBehind: 2, cache: undefined });
  const h2 = await ZarrArray.open(store, "a", { writeBehind: 2 });
  const writes: Promise<void>[] = [];
  for (let s = 0; s < 400; s += 10) writes.push((s / 10) % 2 === 0 ? h1.write(s, seq(10, s)) : h2.write(s, seq(10, s)));
  await Promise.all(writes);
  await Promise.all([h1.flush(), h2.flush()]);
  assert.equal(await (await ZarrArray.open(store, "a")).read(), seq(400, 0));
});

test("read-ahead: a sequential reader has the next chunks fetched ahead; a write through the handle replaces them; other reads drop them", async () => {
  const store = new CountingStore();
  const w = await make(store, {});
  for (let s = 0; s < 1000; s += 100) await w.write(s, seq(100, s));
  const r = await ZarrArray.open(store, "a", { readAhead: 2 });
  store.reset();
  assert.equal(await r.read(0, 100), seq(100, 0));
  assert.is(store.gets, 3, "chunk 0, and chunks 1 and 2 ahead");
  assert.equal(await r.read(100, 200), seq(100, 100));
  assert.is(store.gets, 4, "chunk 1 came from read-ahead; chunk 3 fetched ahead");
  await r.write(200, seq(100, 5000));
  assert.equal(await r.read(200, 300), seq(100, 5000), "the write replaced chunk 2 fetched ahead");
  store.reset();
  assert.equal(await r.read(700, 750), seq(50, 700));
  assert.is(store.gets, 1, "not sequential: nothing fetched ahead");
  // Reads of a few rows at a time (a viewer stepping row by row) fetch nothing ahead.
  const tiny = await ZarrArray.open(store, "a", { readAhead: 2 });
  store.reset();
  for (let row = 0; row < 150; row++) assert.equal(await tiny.read(row, row + 1), seq(1, row));
  assert.is(store.gets, 2, "chunks 0 and 1, each once (cached), nothing ahead");
  const off = await ZarrArray.open(store, "a", { readAhead: 0 });
  store.reset();
  for (let s = 0; s < 1000; s += 100) assert.equal(await off.read(s, s + 100), seq(100, s === 200 ? 5000 : s));
  assert.is(store.gets, 10);
});

test("read-ahead: a chunk that fails to load fails the read that needs it, not the one that fetched it", async () => {
  class Broken extends MemoryStore {
    override async getVersioned(key: string, options?: StoreOptions) {
      if (key === "a/c/1") throw new Error("connection reset");
      return super.getVersioned(key, options);
    }
    override async get(key: string, options?: StoreOptions) {
      if (key === "a/c/1") throw new Error("connection reset");
      return super.get(key, options);
    }
  }
  const store = new Broken();
  const w = await make(store, {});
  await w.write(0, seq(1000, 0));
  const r = await ZarrArray.open(store, "a", { readAhead: 2 });
  assert.equal(await r.read(0, 100), seq(100, 0));
  await rejectsWith(() => r.read(100, 200), Error, /connection reset/);
  assert.equal(await r.read(200, 300), seq(100, 200));
});

test("read-ahead of strings: the next chunks are fetched and decompressed ahead, made into strings only when read", async () => {
  const decoded: string[] = [];
  const codecs = watchedStringCodecs((key) => decoded.push(key));
  const store = new CountingStore();
  const words = (from: number) => Array.from({ length: 100 }, (_, i) => `w${from + i}é`);
  const w = await ZarrArray.create(store, "s", { shape: [400], dataType: "string", chunkShape: [100] }, { codecs });
  for (let s = 0; s < 400; s += 100) await w.write(s, words(s));
  const r = await ZarrArray.open(store, "s", { readAhead: 2, codecs });
  store.reset();
  assert.equal(await r.read(0, 100), words(0));
  await new Promise((done) => setTimeout(done, 50));
  assert.is(store.gets, 3, "chunk 0, and chunks 1 and 2 fetched ahead");
  assert.equal(decoded, ["s/c/0"], "chunks 1 and 2 are not yet strings");
  assert.equal(await r.read(100, 200), words(100));
  assert.equal(decoded, ["s/c/0", "s/c/1"]);
  assert.is(store.gets, 4, "chunk 1 came from read-ahead; chunk 3 fetched ahead");
  assert.equal(await r.read(200, 400), [...words(200), ...words(300)]);
  assert.is(store.gets, 4);
});

test.run();
