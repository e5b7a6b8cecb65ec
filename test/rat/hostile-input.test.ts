/**
 * Regression tests for hostile arguments found by the attack trial of the
 * crash/fault/hostile-input campaign: numeric options, huge sizes, refused
 * writes that must change nothing, and Unicode that UTF-8 cannot hold.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BoundsError, MemoryStore, RatZarr, RatZarrError, ZarrArray } from "../../src/index.js";
import { CountingStore } from "../helpers/counting-store.js";
import { rejects, snapshot } from "./helpers.js";

const quiet = { onWarning: () => undefined };

async function smallRat(store = new MemoryStore(), options = {}) {
  const rz = await RatZarr.open("mem", { store, ...quiet, ...options });
  await rz.setChunkSize(100);
  await rz.setRowCount(250);
  await rz.createColumn("f", "float64");
  return rz;
}

const t = suite("hostile input");

t("every numeric option must be an integer in range, named in the error", async () => {
  const bad: [string, unknown][] = [
    ["concurrency", NaN], ["concurrency", 0], ["concurrency", Infinity], ["concurrency", 1.5], ["concurrency", "4"], ["concurrency", 2 ** 60],
    ["readAhead", -1], ["readAhead", NaN], ["writeBehind", NaN], ["writeBehind", -2], ["maxDecodedBytes", 0], ["maxDecodedBytes", NaN], ["cacheBytes", NaN], ["cacheBytes", -1],
  ];
  for (const [name, value] of bad) {
    const store = new MemoryStore();
    await rejects(() => RatZarr.open("mem", { store, [name]: value }), RatZarrError, new RegExp(`option "${name}" must be an integer`));
    assert.equal(await snapshot(store), {}, `${name}=${String(value)} touched the store`);
  }
  const store = new MemoryStore();
  await (await smallRat(store)).close();
  await rejects(() => ZarrArray.open(store, "RAT/f", { concurrency: NaN }), RatZarrError, /option "concurrency"/);
});

t("concurrency: NaN no longer reads zeros and drops writes: it is refused, and a valid value round-trips", async () => {
  const store = new MemoryStore();
  await rejects(() => smallRat(store, { concurrency: NaN }), RatZarrError, /concurrency/);
  const rz = await smallRat(store, { concurrency: 1 });
  const data = Float64Array.from({ length: 250 }, (_, i) => i + 0.5);
  await rz.writeBlock("f", data, 0);
  await rz.close();
  const again = await RatZarr.open("mem", { store, readOnly: true });
  assert.equal(await again.readBlock("f", 0, 250), data);
});

t("shrinking a huge row count lists what is stored instead of walking the chunk grid", async () => {
  const store = new CountingStore();
  const rz = await smallRat(store);
  await rz.setRowCount(1e15);
  await rz.writeBlock("f", Float64Array.from([1, 2, 3]), 0);
  await rz.writeBlock("f", Float64Array.from([4, 5]), 1e15 - 2);
  store.reset();
  await rz.setRowCount(1e7);
  await rz.setRowCount(150);
  // Two stored chunks: one deleted by the first shrink, nothing else; the grid had 1e13 chunks.
  assert.ok(store.deletes + store.sets < 20, `store calls: ${store.deletes} deletes, ${store.sets} sets`);
  await rz.setRowCount(1e7);
  assert.equal(Array.from(await rz.readBlock<"float64">("f", 0, 4)), [1, 2, 3, 0]);
  assert.equal(Array.from(await rz.readBlock<"float64">("f", 1e7 - 2, 2)), [0, 0]);
  assert.equal(store.chunkKeys("RAT/f/"), ["RAT/f/c/0"]);
});

t("a block too large to hold is refused before any chunk is planned", async () => {
  const rz = await smallRat();
  await rz.setRowCount(1e15);
  await rejects(() => rz.readBlock("f", 0, 1e15), BoundsError, /block of 1000000000000000 rows/, /use smaller blocks/);
  assert.equal(Array.from(await rz.readBlock<"float64">("f", 1e15 - 1, 5)), [0]);
});

t("a width or chunk size whose chunk cannot be held is refused with the numbers, not a RangeError", async () => {
  const rz = await smallRat();
  await rejects(() => rz.createColumn("wide", "int8", { width: 2 ** 31 }), BoundsError, /\[100, 2147483648\]/, /more than the 2147483647/);
  assert.not.ok(await rz.colExists("wide"));
  await rejects(() => rz.setChunkSize(2 ** 53 - 1), BoundsError, /chunk size 9007199254740991/);
  assert.is(rz.getRATChunkSize(), 100);
  await rz.setChunkSize(1000);
  await rz.createColumn("ok", "int8", { width: 3 });
});

t("a refused string block changes nothing: every element is checked before the first chunk is stored", async () => {
  const store = new MemoryStore();
  const rz = await smallRat(store);
  await rz.createColumn("s", "string");
  await rz.writeBlock("s", Array.from({ length: 250 }, (_, i) => `old ${i}`), 0);
  const before = await snapshot(store);
  const block: unknown[] = Array.from({ length: 250 }, (_, i) => `new ${i}`);
  block[150] = 42;
  await rejects(() => rz.writeBlock("s", block as string[], 0), BoundsError, /needs strings, got a number at row 150/, /nothing was written/);
  assert.equal(await snapshot(store), before);
  const col = await ZarrArray.open(store, "RAT/s");
  await rejects(() => col.write(0, block as never), BoundsError, /got a number at row 150/);
  assert.equal(await snapshot(store), before);
  assert.is((await rz.readBlock<"string">("s", 0, 250))[150], "old 150");
});

t("a column name with a lone surrogate is refused (it could not be listed back)", async () => {
  const rz = await smallRat();
  await rejects(() => rz.createColumn("\ud800", "int32"), RatZarrError, /lone surrogate/);
  await rejects(() => rz.createColumn("a\udc00b", "int32"), RatZarrError, /lone surrogate/);
  await rz.createColumn("😀 ok", "int32");
  assert.equal(await rz.getColumnNames(), ["f", "😀 ok"]);
});

t("a lone surrogate in a value reads back the same through the writing handle's cache and a new handle", async () => {
  const store = new MemoryStore();
  const rz = await smallRat(store);
  await rz.createColumn("s", "string");
  // A partial chunk: kept in the writing handle's cache.
  await rz.writeBlock("s", ["a\ud800", "\udfffb", "ok"], 10);
  const mine = await rz.readBlock<"string">("s", 10, 3);
  const fresh = await (await RatZarr.open("mem", { store, readOnly: true })).readBlock<"string">("s", 10, 3);
  assert.equal(fresh, ["a\ufffd", "\ufffdb", "ok"]);
  assert.equal(mine, fresh);
});

t("values a caller or a file supplies are quoted safely in every message (bigints, symbols, objects whose toString is data)", async () => {
  const rz = await smallRat();
  await rejects(() => rz.setRowCount({ toString: 1 } as never), RatZarrError, /row count must be an integer >= 0, got \{"toString": 1\}/);
  await rejects(() => rz.createColumn(Symbol("x") as never, "int8"), RatZarrError, /a column name must be a string, got Symbol\("x"\)/);
  await rejects(() => rz.createColumn("x", 3n as never), RatZarrError, /unknown data type 3/);
  await rejects(() => rz.createColumn("x", "bool", null as never), RatZarrError, /options must be an object, got null/);
  await rejects(() => rz.readBlock(10n as never, 0, 1), RatZarrError, /a column name must be a string, got 10/);
  await rejects(() => rz.writeBlock({} as never, new Float64Array(1), 0), RatZarrError, /a column name must be a string/);
  await rejects(() => rz.deleteColumn(Symbol() as never), RatZarrError, /must be a string/);
  const store = new MemoryStore();
  await (await smallRat(store)).close();
  const text = new TextDecoder().decode(await store.get("RAT/zarr.json"));
  await store.set("RAT/zarr.json", new TextEncoder().encode(text.replace(/"ROWCOUNT": 250/, '"ROWCOUNT": [9007199254740993]')));
  await rejects(() => RatZarr.open("mem", { store }), RatZarrError, /ROWCOUNT/, /9007199254740993/);
});

t("an attribute value nested past the JSON depth limit is refused with a RatZarrError, not a stack overflow", async () => {
  const rz = await smallRat();
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const mapping = await rz.getRatAttributeMapping();
  await rejects(() => mapping.set("deep", deep as never), RatZarrError, /nested deeper than 1000 levels/);
  await rejects(() => mapping.set("holes", [1, , 3] as never), RatZarrError, /value\[1\] is undefined/);
  assert.not.ok(mapping.has("deep"));
});

t("a bool block with values other than 0 and 1 reads back as stored through the writing handle's cache too", async () => {
  const store = new MemoryStore();
  const rz = await smallRat(store);
  await rz.createColumn("b", "bool");
  await rz.writeBlock("b", Uint8Array.from([1, 4, 0, 255]), 0);
  const mine = Array.from(await rz.readBlock<"bool">("b", 0, 4));
  const fresh = Array.from(await (await RatZarr.open("mem", { store, readOnly: true })).readBlock<"bool">("b", 0, 4));
  assert.equal(fresh, [1, 1, 0, 1]);
  assert.equal(mine, fresh);
});

t.run();

const r = suite("interrupted creation");

r("a RAT whose creation stopped between its two groups opens and is finished; read-only says why it cannot; an empty Zarr group is left alone", async () => {
  const store = new MemoryStore();
  const full = await RatZarr.open("mem", { store, ...quiet });
  await full.close();
  // What a writer killed between the RAT group and the root zarr.json leaves behind.
  store.data.delete("zarr.json");
  const before = await snapshot(store);
  await rejects(() => RatZarr.open("mem", { store, readOnly: true }), RatZarrError, /creation of this RAT was interrupted/);
  assert.equal(await snapshot(store), before);
  const rz = await RatZarr.open("mem", { store, ...quiet });
  assert.is(rz.getRowCount(), 0);
  assert.ok(await RatZarr.isValidRatZarr(store));
  // With anything else beside it, it is not ours to finish.
  store.data.delete("zarr.json");
  await store.set("RAT/other/zarr.json", new TextEncoder().encode("{}"));
  const other = await snapshot(store);
  await rejects(() => RatZarr.open("mem", { store, ...quiet }), RatZarrError, /holds no RAT/);
  assert.equal(await snapshot(store), other);
});

r.run();
