/** Columns, blocks, row counts, warnings and the modification log, on local disk and on every S3 server of the run. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { userInfo } from "node:os";
import { RatZarr, RatZarrError, BoundsError, NodeError, ZarrArray } from "../../src/node/index.js";
import { CountingStore } from "../helpers/counting-store.js";
import { removeLocalPaths, testBackends } from "../helpers/backends.js";

/** Shrink the four columns of `fillFourColumns` to 5 rows and grow back: the rows that return read as fill, widths kept. */
async function shrinkGrowReadsFill(rz: RatZarr): Promise<void> {
  await rz.setRowCount(5);
  await rz.setRowCount(10);
  assert.is(rz.getRowCount(), 10);
  assert.equal(await rz.readBlock("i", 0, 10), Int32Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 0]));
  assert.equal(await rz.readBlock("b", 0, 10), Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]));
  assert.equal(await rz.readBlock("s", 0, 10), ["v0", "v1", "v2", "v3", "v4", "", "", "", "", ""]);
  assert.is(await rz.getColumnWidth("w"), 3);
  assert.equal(Array.from(await rz.readBlock<"uint16">("w", 0, 10)), [...new Array(15).fill(7), ...new Array(15).fill(0)]);
}

/** Ten rows in chunks of 4: int32 1..10, bool all true, strings v0..v9, uint16 width 3 all 7. */
async function fillFourColumns(rz: RatZarr): Promise<void> {
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("i", "int32");
  await rz.createColumn("b", "bool");
  await rz.createColumn("s", "string");
  await rz.createColumn("w", "uint16", { width: 3 });
  await rz.writeBlock("i", Int32Array.from({ length: 10 }, (_, k) => k + 1), 0);
  await rz.writeBlock("b", new Uint8Array(10).fill(1), 0);
  await rz.writeBlock("s", Array.from({ length: 10 }, (_, k) => `v${k}`), 0);
  await rz.writeBlock("w", new Uint16Array(30).fill(7), 0);
}
import { rejects, snapshot } from "./helpers.js";

// What the engine sends to the store, counted on a MemoryStore (the backends' versions below check what is stored).
const c = suite("RatZarr: columns and blocks (counting store)");
const quietMem = { onWarning: () => undefined };

c("writeBlock errors name the column and the numbers, and store nothing", async () => {
  const store = new CountingStore();
  const rz = await RatZarr.open(store, quietMem);
  await rz.setRowCount(100);
  await rz.createColumn("area", "float32", { width: 2 });
  await rz.createColumn("name", "string");
  store.reset();
  await rejects(() => rz.writeBlock("area", new Float64Array(4), 0), BoundsError, /column "area": data type float32 needs a Float32Array, got a Float64Array/);
  await rejects(() => rz.writeBlock("area", new Float32Array(3), 0), BoundsError, /column "area": block of 3 values is not a whole number of rows of width 2/);
  await rejects(() => rz.writeBlock("area", new Float32Array(20), 95), BoundsError, /column "area": block of 10 rows at row 95 passes row count 100/);
  await rejects(() => rz.writeBlock("name", Int32Array.from([1]) as never, 0), BoundsError, /column "name": data type string needs a string\[\], got a Int32Array/);
  await rejects(() => rz.writeBlock("area", new Float32Array(2), -1), RatZarrError, /startRow must be an integer >= 0, got -1/);
  await rejects(() => rz.readBlock("area", 0, -5), RatZarrError, /blockLen must be an integer >= 0, got -5/);
  assert.is(store.sets + store.deletes, 0);
});

c("setRowCount: same count writes nothing; shrink then grow reads fill, widths kept", async () => {
  const store = new CountingStore();
  const rz = await RatZarr.open(store, quietMem);
  await fillFourColumns(rz);
  store.reset();
  await rz.setRowCount(10);
  assert.is(store.sets + store.deletes, 0, "same count writes nothing");
  await shrinkGrowReadsFill(rz);
  const fresh = await RatZarr.open(store, quietMem);
  assert.is(fresh.getRowCount(), 10);
  await rejects(() => rz.setRowCount(-1), RatZarrError, /row count must be an integer >= 0, got -1/);
  await rejects(() => rz.setChunkSize(0), RatZarrError, /chunk size must be an integer >= 1, got 0/);
});

c.run();

for (const backend of await testBackends()) {
  const t = suite(`RatZarr: columns and blocks [${backend.name}]`);
  const o = backend.options;
  const quiet = { ...o, onWarning: () => undefined };
  const newRat = async (label: string) => RatZarr.open(await backend.newPath(label), quiet);

  t("createColumn: every data type, widths, current chunk size, empty log", async () => {
    const rz = await newRat("types");
    await rz.setRowCount(7);
    await rz.setChunkSize(3);
    const types = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"] as const;
    for (const dt of types) await rz.createColumn(`c_${dt}`, dt, { width: dt === "uint16" ? 4 : 1 });
    for (const dt of types) {
      const name = `c_${dt}`;
      assert.is(await rz.getColumnDtype(name), dt);
      assert.is(await rz.getColumnChunkSize(name), 3);
      assert.is(await rz.getColumnWidth(name), dt === "uint16" ? 4 : 1);
      assert.equal(await rz.getModificationLog(name), []);
      const col = await ZarrArray.open(rz.store, `RAT/${name}`);
      assert.equal(col.shape, dt === "uint16" ? [7, 4] : [7]);
      assert.equal(col.chunkShape, dt === "uint16" ? [3, 4] : [3]);
    }
    assert.is((await rz.getColumnNames()).length, types.length);
  });

  t("createColumn errors: existing, invalid names, unknown types, bad widths", async () => {
    const rz = await newRat("create-errors");
    await rz.setRowCount(5);
    await rz.createColumn("area", "float64");
    await rejects(() => rz.createColumn("area", "int8"), NodeError, /column "area" already exists/);
    for (const bad of ["", "a/b", "..", ".", "__hidden", "zarr.json", "a\\b"]) {
      await rejects(() => rz.createColumn(bad, "int8"), RatZarrError, /invalid column name/);
    }
    for (const dt of ["int128", "float16", "str", "Float64"]) {
      await rejects(() => rz.createColumn("x", dt as never), RatZarrError, /column "x": unknown data type/);
    }
    for (const width of [0, -1, 1.5, NaN]) {
      await rejects(() => rz.createColumn("x", "int8", { width }), RatZarrError, /column "x": width must be a positive integer/);
    }
    assert.equal(await rz.getColumnNames(), ["area"]);
  });

  t("deleteColumn and openColumn of a missing column are errors naming it", async () => {
    const rz = await newRat("missing");
    await rejects(() => rz.deleteColumn("nope"), NodeError, /column "nope" does not exist/);
    await rejects(() => rz.readBlock("nope", 0, 1), NodeError, /column "nope" does not exist/);
    await rejects(() => rz.getColumnDtype("a/b"), NodeError, /does not exist/);
    assert.not.ok(await rz.colExists("a/b"));
  });

  t("a deleted column re-created with the same name never shows old data", async () => {
    const rz = await newRat("recreate");
    await rz.setRowCount(10);
    await rz.setChunkSize(4);
    await rz.createColumn("a", "int32");
    await rz.writeBlock("a", new Int32Array(10).fill(9), 0);
    await rz.readBlock("a", 1, 2); // puts a chunk in the cache
    await rz.deleteColumn("a");
    await rz.createColumn("a", "int32");
    assert.equal(await rz.readBlock("a", 0, 10), new Int32Array(10));
    assert.equal(await rz.getModificationLog("a"), []);
  });

  t("writeBlock errors name the column and the numbers, and change nothing stored", async () => {
    const path = await backend.newPath("write-errors");
    const rz = await RatZarr.open(path, quiet);
    await rz.setRowCount(100);
    await rz.setChunkSize(40);
    await rz.createColumn("area", "float32", { width: 2 });
    await rz.createColumn("name", "string");
    const area = Float32Array.from({ length: 200 }, (_, i) => i + 0.25);
    const names = Array.from({ length: 100 }, (_, i) => `n${i}`);
    await rz.writeBlock("area", area, 0);
    await rz.writeBlock("name", names, 0);
    await rz.close();
    const before = await snapshot(rz.store);
    // A new handle: its first successful write would append to the log, a refused one must not.
    const other = await RatZarr.open(path, quiet);
    await rejects(() => other.writeBlock("area", new Float64Array(4), 0), BoundsError, /column "area": data type float32 needs a Float32Array, got a Float64Array/);
    await rejects(() => other.writeBlock("area", new Float32Array(3), 0), BoundsError, /column "area": block of 3 values is not a whole number of rows of width 2/);
    await rejects(() => other.writeBlock("area", new Float32Array(20), 95), BoundsError, /column "area": block of 10 rows at row 95 passes row count 100/);
    await rejects(() => other.writeBlock("name", Int32Array.from([1]) as never, 0), BoundsError, /column "name": data type string needs a string\[\], got a Int32Array/);
    await rejects(() => other.writeBlock("area", new Float32Array(2), -1), RatZarrError, /startRow must be an integer >= 0, got -1/);
    await rejects(() => other.readBlock("area", 0, -5), RatZarrError, /blockLen must be an integer >= 0, got -5/);
    assert.equal(await snapshot(other.store), before, "keys and bytes unchanged");
    assert.equal(await other.readBlock("area", 0, 100), area);
    assert.equal(await other.readBlock("name", 0, 100), names);
    assert.is((await other.getModificationLog("area")).length, 1);
    assert.is((await other.getModificationLog("name")).length, 1);
  });

  t("readBlock is clipped at the row count", async () => {
    const rz = await newRat("clipped");
    await rz.setRowCount(10);
    await rz.createColumn("a", "int16", { width: 2 });
    await rz.writeBlock("a", Int16Array.from({ length: 20 }, (_, i) => i), 0);
    assert.equal(await rz.readBlock("a", 8, 100), Int16Array.from([16, 17, 18, 19]));
    assert.equal(await rz.readBlock("a", 50, 10), new Int16Array(0));
    assert.equal(await rz.readBlock("a", 3, 0), new Int16Array(0));
  });

  t("setRowCount: same count changes nothing stored; shrink then grow reads fill, widths kept", async () => {
    const path = await backend.newPath("rowcount");
    const rz = await RatZarr.open(path, quiet);
    await fillFourColumns(rz);
    const before = await snapshot(rz.store);
    await rz.setRowCount(10);
    assert.equal(await snapshot(rz.store), before, "same count changes nothing stored");
    await shrinkGrowReadsFill(rz);
    const fresh = await RatZarr.open(path, quiet);
    assert.is(fresh.getRowCount(), 10);
    assert.equal(Array.from(await fresh.readBlock<"int32">("i", 0, 10)), [1, 2, 3, 4, 5, 0, 0, 0, 0, 0]);
    await rejects(() => rz.setRowCount(-1), RatZarrError, /row count must be an integer >= 0, got -1/);
    await rejects(() => rz.setChunkSize(0), RatZarrError, /chunk size must be an integer >= 1, got 0/);
  });

  t("setRowCount resizes columns another handle created", async () => {
    const path = await backend.newPath("other-handle");
    const a = await RatZarr.open(path, quiet);
    await a.setRowCount(4);
    const b = await RatZarr.open(path, quiet);
    await b.createColumn("fromB", "int8");
    await a.setRowCount(8);
    assert.is((await ZarrArray.open(a.store, "RAT/fromB")).shape[0], 8);
  });

  t("warnings: unaligned and small blocks warn once per handle", async () => {
    const path = await backend.newPath("warnings");
    const seen: string[] = [];
    const rz = await RatZarr.open(path, { ...o, onWarning: (m) => seen.push(m) });
    await rz.setRowCount(100);
    await rz.setChunkSize(10);
    await rz.createColumn("a", "int32");
    await rz.writeBlock("a", new Int32Array(20), 0);
    assert.equal(seen, [], "aligned multiple of the chunk: no warning");
    await rz.writeBlock("a", new Int32Array(15), 20);
    await rz.writeBlock("a", new Int32Array(15), 35);
    assert.is(seen.length, 1);
    assert.match(seen[0]!, /column "a": block of 15 rows at row 20 is not aligned to the chunk size 10/);
    await rz.writeBlock("a", new Int32Array(5), 50);
    await rz.writeBlock("a", new Int32Array(5), 60);
    assert.is(seen.length, 2);
    assert.match(seen[1]!, /block of 5 rows is smaller than the chunk size 10/);
    await rz.writeBlock("a", new Int32Array(10), 90);
    assert.is(seen.length, 2, "a short last block is fine");
    const other = await RatZarr.open(path, { ...o, onWarning: (m) => seen.push(m) });
    await other.writeBlock("a", new Int32Array(5), 50);
    assert.is(seen.length, 3, "a new handle warns again");
  });

  t("modification log: first write per column per handle, time format, user and argv", async () => {
    const path = await backend.newPath("log");
    const rz = await RatZarr.open(path, quiet);
    await rz.setRowCount(4);
    await rz.createColumn("a", "int32");
    await rz.createColumn("b", "int32");
    assert.equal(await rz.getModificationLog("a"), []);
    await rz.writeBlock("a", new Int32Array(4), 0);
    await rz.writeBlock("a", new Int32Array(4), 0);
    const log = await rz.getModificationLog("a");
    assert.is(log.length, 1);
    assert.match(log[0]![0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.ok(Math.abs(Date.parse(log[0]![0]) - Date.now()) < 60_000);
    assert.is(log[0]![1], userInfo().username);
    assert.equal(log[0]![2], process.argv);
    assert.equal(await rz.getModificationLog("b"), []);
    const redacted = await RatZarr.open(path, { ...quiet, provenance: { user: "alice", argv: [] } });
    await redacted.writeBlock("a", new Int32Array(4), 0);
    const log2 = await redacted.getModificationLog("a");
    assert.is(log2.length, 2);
    assert.equal(log2[1]!.slice(1), ["alice", []]);
  });

  t("Promise.all over unaligned blocks of several columns through one handle", async () => {
    const rz = await newRat("parallel");
    await rz.setRowCount(300);
    await rz.setChunkSize(64);
    await rz.createColumn("x", "float64");
    await rz.createColumn("y", "string");
    const jobs: Promise<void>[] = [];
    for (let s = 0; s < 300; s += 13) {
      const n = Math.min(13, 300 - s);
      jobs.push(rz.writeBlock("x", Float64Array.from({ length: n }, (_, i) => s + i + 0.5), s));
      jobs.push(rz.writeBlock("y", Array.from({ length: n }, (_, i) => `r${s + i}`), s));
    }
    await Promise.all(jobs);
    assert.equal(await rz.readBlock("x", 0, 300), Float64Array.from({ length: 300 }, (_, i) => i + 0.5));
    assert.equal(await rz.readBlock("y", 0, 300), Array.from({ length: 300 }, (_, i) => `r${i}`));
    assert.is((await rz.getModificationLog("x")).length, 1);
  });

  t.after(removeLocalPaths);
  t.run();
}
