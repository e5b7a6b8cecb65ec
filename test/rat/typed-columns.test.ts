/** Typed column handles (`rz.column(name, dtype)`): the stored type checked, blocks through the RAT handle's checks. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BoundsError, MemoryStore, NodeError, RatColumn, RatZarr, RatZarrError, ReadOnlyError } from "../../src/index.js";
import { rejects } from "./helpers.js";

const quiet = { onWarning: () => undefined };

/** A RAT of 10 rows in chunks of 4 with a float64 column "area", an int64 "ids", and a uint16 "rgb" of width 3. */
async function sample(store = new MemoryStore()): Promise<RatZarr> {
  const rz = await RatZarr.open(store, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("area", "float64");
  await rz.createColumn("ids", "int64");
  await rz.createColumn("rgb", "uint16", { width: 3 });
  return rz;
}

test("column(name, dtype): a handle with the stored dtype, width and chunk size, reading and writing that array type", async () => {
  const rz = await sample();
  const area = await rz.column("area", "float64");
  assert.instance(area, RatColumn);
  assert.is(area.name, "area");
  assert.is(area.dtype, "float64");
  assert.is(area.width, 1);
  assert.is(area.chunkSize, 4);
  assert.is(area.rat, rz);
  await area.writeBlock(Float64Array.from({ length: 10 }, (_, i) => i / 2), 0);
  const back = await area.readBlock(0, 10);
  assert.instance(back, Float64Array);
  assert.is(back[3]! + 1, 2.5);
  // The same rows as through the RAT handle, clipped at the row count as it clips.
  assert.equal(await area.readBlock(8, 5), await rz.readBlock("area", 8, 5));
  assert.is((await area.readBlock(8, 5)).length, 2);

  const ids = await rz.column("ids", "int64");
  await ids.writeBlock(BigInt64Array.of(2n ** 60n, -1n), 4);
  assert.equal([...(await ids.readBlock(4, 2))], [2n ** 60n, -1n]);

  const rgb = await rz.column("rgb", "uint16");
  assert.is(rgb.width, 3);
  await rgb.writeBlock(Uint16Array.of(1, 2, 3, 4, 5, 6), 2);
  assert.equal([...(await rgb.readBlock(2, 2))], [1, 2, 3, 4, 5, 6]);
  await rz.close();
});

test("column(name, dtype) with another stored type: BoundsError code \"type\" naming the column and both types", async () => {
  const rz = await sample();
  const e = await rejects(() => rz.column("area", "int32"), BoundsError, /column "area"/, /int32/, /float64/);
  assert.instance(e, RatZarrError);
  assert.is((e as RatZarrError).code, "type");
  assert.is(e.message, 'column "area": asked for data type int32, but it is stored as float64');
  // float32 is not float64 either, and int64 is not uint64.
  await rejects(() => rz.column("area", "float32"), BoundsError, /float32.*float64/);
  await rejects(() => rz.column("ids", "uint64"), BoundsError, /uint64.*int64/);
  await rz.close();
});

test("column(): an unknown data type is \"invalid\", a missing column is NodeError \"missing\", a bad name is refused", async () => {
  const rz = await sample();
  const bad = await rejects(() => rz.column("area", "float128" as never), RatZarrError, /column "area": unknown data type "float128"/);
  assert.is((bad as RatZarrError).code, "invalid");
  const missing = await rejects(() => rz.column("nope", "int8"), NodeError, /column "nope" does not exist/);
  assert.is((missing as NodeError).code, "missing");
  await rejects(() => rz.column(42 as never, "int8"), RatZarrError, /a column name must be a string, got 42/);
  await rz.close();
});

test("column(name) without a dtype: any column, typed as stored", async () => {
  const rz = await sample();
  const rgb = await rz.column("rgb");
  assert.is(rgb.dtype, "uint16");
  assert.is(rgb.width, 3);
  assert.instance(await rgb.readBlock(0, 1), Uint16Array);
  await rz.close();
});

test("the handle goes through the RAT handle: same checks and messages, the modification log, read-only and closed", async () => {
  const store = new MemoryStore();
  const rz = await sample(store);
  const area = await rz.column("area", "float64");
  // A JavaScript caller (or a cast) can pass the wrong array: rz.writeBlock's check and message.
  const viaHandle = await rejects(() => area.writeBlock(new Int32Array(10) as never, 0), BoundsError);
  const viaRat = await rejects(() => rz.writeBlock("area", new Int32Array(10), 0), BoundsError);
  assert.is(viaHandle.message, viaRat.message);
  assert.is((viaHandle as BoundsError).code, "type");
  await rejects(() => area.writeBlock(new Float64Array(4), 8), BoundsError, /column "area": block of 4 rows at row 8 passes row count 10/);
  await rejects(() => area.readBlock(-1, 2), RatZarrError, /column "area": startRow must be an integer >= 0, got -1/);
  assert.equal(await rz.getModificationLog("area"), []);
  await area.writeBlock(new Float64Array(10).fill(1.5), 0);
  assert.is((await rz.getModificationLog("area")).length, 1);
  await rz.close();
  const closed = await rejects(() => area.readBlock(0, 1), RatZarrError, /the handle is closed/);
  assert.is((closed as RatZarrError).code, "closed");

  const ro = await RatZarr.open(store, { ...quiet, readOnly: true });
  const roArea = await ro.column("area", "float64");
  assert.equal([...(await roArea.readBlock(0, 2))], [1.5, 1.5]);
  await rejects(() => roArea.writeBlock(new Float64Array(1), 0), ReadOnlyError, /read-only/);
  await ro.close();
});

test("a column another handle created is seen; createColumn then column() is the typed way to a new column", async () => {
  const store = new MemoryStore();
  const a = await sample(store);
  const b = await RatZarr.open(store, quiet);
  await b.createColumn("names", "string");
  const names = await a.column("names", "string");
  await names.writeBlock(["x", "é"], 0);
  assert.equal(await (await b.column("names", "string")).readBlock(0, 2), ["x", "é"]);
  await a.close();
  await b.close();
});

test.run();
