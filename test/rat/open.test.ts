/** RatZarr.open, exists, isValidRatZarr, delete, close, read-only handles. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RatZarr, RatZarrError, MemoryStore, NodeError, ReadOnlyError, ZarrArray, ZarrGroup, MetadataError } from "../../src/node/index.js";
import { CountingStore } from "../helpers/counting-store.js";
import { cleanup, rejects, tempRatPath } from "./helpers.js";

const t = suite("RatZarr: open and the static methods");

t("a new RAT writes the root group and RAT/zarr.json with ROWCOUNT 0 and CHUNKSIZE 500000", async () => {
  const path = tempRatPath();
  const rz = await RatZarr.open(path);
  assert.is(rz.getRowCount(), 0);
  assert.is(rz.getRATChunkSize(), 500000);
  assert.is(readFileSync(join(path, "zarr.json"), "utf8"), '{\n  "attributes": {},\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  assert.is(readFileSync(join(path, "RAT/zarr.json"), "utf8"), '{\n  "attributes": {\n    "ROWCOUNT": 0,\n    "CHUNKSIZE": 500000\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  await rz.close();
});

t("a path that exists but holds no RAT is an error and is left untouched", async () => {
  const path = tempRatPath();
  mkdirSync(path);
  writeFileSync(join(path, "precious.txt"), "keep me");
  for (const options of [{}, { readOnly: true }, { create: false }]) {
    await rejects(() => RatZarr.open(path, options), NodeError, /exists but holds no RAT/, /left untouched/);
  }
  assert.equal(readdirSync(path), ["precious.txt"]);
  // A Zarr group that is not a RAT (no RAT/ group) is not one either.
  const store = new MemoryStore();
  await ZarrGroup.create(store, "");
  await rejects(() => RatZarr.open(store), NodeError, /holds no RAT/);
  assert.equal([...store.data.keys()], ["zarr.json"]);
});

t("a RAT with a corrupt RAT/zarr.json is refused with the file and key named", async () => {
  const store = new MemoryStore();
  await (await RatZarr.open(store)).close();
  store.data.set("RAT/zarr.json", new TextEncoder().encode('{"attributes": {"ROWCOUNT": -3}, "zarr_format": 3, "node_type": "group"}'));
  await rejects(() => RatZarr.open(store), MetadataError, /RAT\/zarr.json/, /ROWCOUNT/, /-3/);
});

t("a RAT without ROWCOUNT (older Python files) takes the first column's length and stores it", async () => {
  const store = new MemoryStore();
  await ZarrGroup.create(store, "");
  await ZarrGroup.create(store, "RAT", { other: 1 });
  await ZarrArray.create(store, "RAT/b", { shape: [9], dataType: "int32", chunkShape: [4] });
  await ZarrArray.create(store, "RAT/a", { shape: [7], dataType: "int32", chunkShape: [4] });
  const ro = await RatZarr.open(store, { readOnly: true });
  assert.is(ro.getRowCount(), 7);
  assert.equal((await ZarrGroup.open(store, "RAT")).attributes, { other: 1 }, "read-only: nothing stored");
  const rz = await RatZarr.open(store);
  assert.is(rz.getRowCount(), 7);
  assert.equal((await ZarrGroup.open(store, "RAT")).attributes, { other: 1, ROWCOUNT: 7, CHUNKSIZE: 500000 });
  const empty = new MemoryStore();
  await ZarrGroup.create(empty, "");
  await ZarrGroup.create(empty, "RAT");
  assert.is((await RatZarr.open(empty)).getRowCount(), 0);
});

t("a read-only handle refuses every change before touching the store", async () => {
  const store = new CountingStore();
  const rw = await RatZarr.open(store);
  await rw.setRowCount(10);
  await rw.createColumn("a", "int32");
  await rw.writeBlock("a", new Int32Array(10).fill(3), 0);
  const ro = await RatZarr.open(store, { readOnly: true });
  const ratAttrs = await ro.getRatAttributeMapping();
  const colAttrs = await ro.getColumnAttributeMapping("a");
  store.reset();
  const changes: [string, () => Promise<unknown>][] = [
    ["setRowCount", () => ro.setRowCount(5)],
    ["setChunkSize", () => ro.setChunkSize(5)],
    ["createColumn", () => ro.createColumn("b", "int8")],
    ["deleteColumn", () => ro.deleteColumn("a")],
    ["writeBlock", () => ro.writeBlock("a", new Int32Array(10), 0)],
    ["RAT attribute set", () => ratAttrs.set("x", 1)],
    ["RAT attribute delete", () => ratAttrs.delete("x")],
    ["column attribute update", () => colAttrs.update({ x: 1 })],
  ];
  for (const [what, change] of changes) {
    await rejects(change, ReadOnlyError, /read-only/);
    assert.is(store.sets + store.deletes, 0, `${what} touched the store`);
    assert.is(store.gets, 0, `${what} read the store before refusing`);
  }
  assert.equal(await ro.readBlock("a", 0, 10), new Int32Array(10).fill(3));
});

t("exists is exact: rat.zarr does not match rat.zarr2", async () => {
  const path = tempRatPath("rat.zarr2");
  await (await RatZarr.open(path)).close();
  const sibling = path.slice(0, -1);
  assert.ok(await RatZarr.exists(path));
  assert.not.ok(await RatZarr.exists(sibling));
  assert.ok(await RatZarr.isValidRatZarr(path));
  assert.not.ok(await RatZarr.isValidRatZarr(sibling));
  const store = new MemoryStore();
  assert.not.ok(await RatZarr.exists(store));
  await store.set("x", new Uint8Array(1));
  assert.ok(await RatZarr.exists(store));
  assert.not.ok(await RatZarr.isValidRatZarr(store));
});

t("isValidRatZarr needs zarr.json and RAT/zarr.json", async () => {
  const store = new MemoryStore();
  await ZarrGroup.create(store, "");
  assert.not.ok(await RatZarr.isValidRatZarr(store));
  await ZarrGroup.create(store, "RAT");
  assert.ok(await RatZarr.isValidRatZarr(store));
  store.data.delete("zarr.json");
  assert.not.ok(await RatZarr.isValidRatZarr(store));
  store.data.set("zarr.json", new TextEncoder().encode("not json"));
  assert.not.ok(await RatZarr.isValidRatZarr(store));
});

t("delete: quiet when nothing is there, refuses a non-RAT, removes every key", async () => {
  const path = tempRatPath();
  await RatZarr.delete(path);
  mkdirSync(path);
  writeFileSync(join(path, "data.txt"), "x");
  await rejects(() => RatZarr.delete(path), NodeError, /not a RAT/);
  assert.ok(existsSync(join(path, "data.txt")));
  const rat = tempRatPath();
  const rz = await RatZarr.open(rat);
  await rz.setRowCount(10);
  await rz.createColumn("a", "float64");
  await rz.writeBlock("a", new Float64Array(10).fill(1), 0);
  await rz.close();
  await RatZarr.delete(rat);
  assert.not.ok(existsSync(rat));
  const store = new MemoryStore();
  const m = await RatZarr.open(store);
  await m.setRowCount(3);
  await m.createColumn("s", "string");
  await m.writeBlock("s", ["a", "b", "c"], 0);
  await RatZarr.delete(store);
  assert.is(store.data.size, 0);
});

t("paths: file:// URLs work; s3:// and unknown schemes are clear errors", async () => {
  const path = tempRatPath();
  const rz = await RatZarr.open(pathToFileURL(path).href);
  await rz.setRowCount(2);
  await rz.close();
  assert.is((await RatZarr.open(path)).getRowCount(), 2);
  await rejects(() => RatZarr.open("s3://"), RatZarrError, /"s3:\/\/" is not an s3:\/\/bucket\/key URL/);
  await rejects(() => RatZarr.open("ftp://host/rat.zarr"), RatZarrError, /unsupported scheme "ftp:\/\/"/);
  await rejects(() => RatZarr.open(""), RatZarrError, /must not be empty/);
});

t("close, and await using", async () => {
  const path = tempRatPath();
  {
    await using rz = await RatZarr.open(path);
    await rz.setRowCount(4);
    await rz.createColumn("a", "uint8");
    await rz.writeBlock("a", Uint8Array.from([1, 2, 3, 4]), 0);
  }
  const rz = await RatZarr.open(path);
  assert.equal(await rz.readBlock("a", 0, 4), Uint8Array.from([1, 2, 3, 4]));
  await rz.close();
  await rz.close();
  await rejects(() => rz.readBlock("a", 0, 4), RatZarrError, /closed/);
  assert.throws(() => rz.getRowCount(), /closed/);
});

t.after(cleanup);
t.run();
