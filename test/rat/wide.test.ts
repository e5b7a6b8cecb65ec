/**
 * Wide RATs (hundreds of columns) on S3 pay per request: a fresh handle that
 * lists the columns and reads one row of each (a viewer clicking a segment)
 * fetches each column's zarr.json once, not once for the listing and again
 * to open it; a row-count grow rewrites each column's zarr.json without an
 * extra read of the ones the listing just fetched.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MemoryStore } from "../../src/stores/memory.js";
import type { GetOptions, StoreOptions, VersionedValue } from "../../src/stores/store.js";
import { RatZarr } from "../../src/node/index.js";

/** A memory store that records the keys read. */
class ReadLog extends MemoryStore {
  reads: string[] = [];
  override get(key: string, options?: GetOptions): Promise<Uint8Array | undefined> {
    this.reads.push(key);
    return super.get(key, options);
  }
  override getVersioned(key: string, options?: StoreOptions): Promise<VersionedValue | undefined> {
    this.reads.push(key);
    return super.getVersioned(key, options);
  }
}

const COLUMNS = 40;
const names = Array.from({ length: COLUMNS }, (_, i) => `c${String(i).padStart(2, "0")}`);

async function wideRat(): Promise<ReadLog> {
  const store = new ReadLog();
  const rz = await RatZarr.open(store);
  await rz.setChunkSize(100);
  await rz.setRowCount(250);
  for (const [i, n] of names.entries()) {
    await rz.createColumn(n, i % 2 === 0 ? "float64" : "string");
    await rz.writeBlock(n, i % 2 === 0 ? Float64Array.from({ length: 250 }, (_, r) => r + i) : Array.from({ length: 250 }, (_, r) => `${n}:${r}`), 0);
  }
  await rz.close();
  store.reads = [];
  return store;
}

const metadataReads = (store: ReadLog) => store.reads.filter((k) => /^RAT\/c\d+\/zarr\.json$/.test(k));

test("a fresh handle lists the columns and reads one row of each: one GET of each column's zarr.json", async () => {
  const store = await wideRat();
  const rz = await RatZarr.open(store, { readOnly: true });
  const listed = await rz.getColumnNames();
  assert.equal(listed, names);
  const row = await Promise.all(listed.map((n) => rz.readBlock(n, 123, 1)));
  assert.equal(row.map((v) => v[0]), names.map((n, i) => (i % 2 === 0 ? 123 + i : `${n}:123`)));
  const meta = metadataReads(store);
  assert.is(meta.length, COLUMNS, `zarr.json reads: ${meta.length}`);
  assert.is(new Set(meta).size, COLUMNS);
  // And the chunks: one each.
  assert.is(store.reads.filter((k) => /^RAT\/c\d+\/c\/1$/.test(k)).length, COLUMNS);
  await rz.close();
});

test("setRowCount grow from a fresh handle: each column's zarr.json read once to list it and once to rewrite it (conditionally)", async () => {
  const store = await wideRat();
  const rz = await RatZarr.open(store);
  await rz.setRowCount(400);
  const meta = metadataReads(store);
  assert.is(meta.length, 2 * COLUMNS, `zarr.json reads: ${meta.length}`);
  await rz.close();
  const again = await RatZarr.open(store, { readOnly: true });
  assert.is(again.getRowCount(), 400);
  for (const n of names) assert.is((await again.readBlock(n, 0, 400)).length, 400);
  await again.close();
});

test("a column another handle grew is re-read before setRowCount decides there is nothing to do", async () => {
  const store = await wideRat();
  const a = await RatZarr.open(store);
  await a.readBlock("c00", 0, 1); // c00 now open in handle a, with 250 rows
  const b = await RatZarr.open(store);
  await b.setRowCount(300);
  await b.close();
  await a.setRowCount(300); // a's stale view of c00 must not make it skip: already 300 everywhere, fine either way
  await a.setRowCount(260); // shrink: every column, including the stale c00, ends at 260
  await a.close();
  const c = await RatZarr.open(store, { readOnly: true });
  for (const n of names) assert.is((await c.readBlock(n, 0, 1000)).length, 260, n);
  await c.close();
});

test("a folder under RAT that is a group, not a column, is still listed as before and fails to open with the reason", async () => {
  const store = await wideRat();
  await store.set("RAT/extra/zarr.json", new TextEncoder().encode('{"zarr_format":3,"node_type":"group","attributes":{}}'));
  const rz = await RatZarr.open(store, { readOnly: true });
  assert.ok((await rz.getColumnNames()).includes("extra"));
  let threw = false;
  try {
    await rz.readBlock("extra", 0, 1);
  } catch (e) {
    threw = true;
    assert.match(String(e), /extra/);
  }
  assert.ok(threw);
  await rz.close();
});

test.run();
