/**
 * docs/FORMAT.md section 4: ROWCOUNT, CHUNKSIZE and MODIFICATIONLOG, their
 * invariants, what happens when they disagree, and the old-file migration.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { FileSystemStore, RatZarr } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { MetadataError } from "../../src/errors.js";
import { verifyRat } from "../../src/cli/verify.js";
import type { JsonObject } from "../../src/codecs/codec.js";
import type { Store } from "../../src/stores/store.js";
import { cleanup, editJson, keys, quiet, recording, tempDir, text } from "./helpers.js";
import { pythonOf, zarrPythons } from "./python.js";

const t = suite("format: RAT attributes");
t.after.each(cleanup);

const attrsOf = async (store: Store, key: string) => (JSON.parse(await text(store, key)) as { attributes: JsonObject }).attributes;

async function rejects(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

t("F-4.1: ROWCOUNT an integer >= 0, CHUNKSIZE an integer >= 1; other types or ranges refused naming RAT/zarr.json and the attribute", async () => {
  for (const [key, value] of [["ROWCOUNT", -1], ["ROWCOUNT", 2.5], ["ROWCOUNT", "10"], ["CHUNKSIZE", 0], ["CHUNKSIZE", null]] as const) {
    const store = new MemoryStore();
    await (await RatZarr.open(store, quiet)).close();
    await editJson(store, "RAT/zarr.json", (doc) => void ((doc["attributes"] as JsonObject)[key] = value));
    const e = await rejects(() => RatZarr.open(store, { readOnly: true }));
    assert.instance(e, MetadataError, `${key} ${value}`);
    assert.equal([(e as MetadataError).file, (e as MetadataError).key], ["RAT/zarr.json", key]);
  }
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  await rz.setRowCount(3);
  await rz.setChunkSize(1);
  await rz.close();
  assert.equal(await attrsOf(store, "RAT/zarr.json"), { ROWCOUNT: 3, CHUNKSIZE: 1 });
});

t("F-4.2: CHUNKSIZE applies to columns created afterwards and rewrites only RAT/zarr.json; a column follows its own chunk_grid", async () => {
  const { store, writes } = recording(new MemoryStore());
  const rz = await RatZarr.open(store, quiet);
  await rz.setRowCount(10);
  await rz.setChunkSize(4);
  await rz.createColumn("old", "int32");
  writes.length = 0;
  await rz.setChunkSize(3);
  assert.equal(writes.map((w) => w.key), ["RAT/zarr.json"]);
  await rz.createColumn("new", "int32");
  assert.is(await rz.getColumnChunkSize("old"), 4);
  assert.is(await rz.getColumnChunkSize("new"), 3);
  await rz.writeBlock("old", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.close();
  assert.equal(await keys(store, "RAT/old/c/"), ["RAT/old/c/0", "RAT/old/c/1", "RAT/old/c/2"]);
  assert.match(await text(store, "RAT/new/zarr.json"), /"chunk_shape": \[\n {8}3\n/);
});

t("F-4.3: a new column has ROWCOUNT rows; a row-count change resizes every column first and writes ROWCOUNT last", async () => {
  const { store, writes } = recording(new MemoryStore());
  const rz = await RatZarr.open(store, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "string", { width: 2 });
  assert.match(await text(store, "RAT/b/zarr.json"), /"shape": \[\n {4}10,\n {4}2\n {2}\]/);
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  writes.length = 0;
  await rz.setRowCount(6);
  await rz.close();
  const metaWrites = writes.filter((w) => w.key.endsWith("zarr.json")).map((w) => w.key);
  assert.equal(metaWrites.slice(-1), ["RAT/zarr.json"]);
  assert.equal([...metaWrites.slice(0, -1)].sort(), ["RAT/a/zarr.json", "RAT/b/zarr.json"]);
  assert.is(writes.at(-1)!.key, "RAT/zarr.json");
  for (const c of ["a", "b"]) assert.match(await text(store, `RAT/${c}/zarr.json`), /"shape": \[\n {4}6[,\n]/);
  assert.is((await attrsOf(store, "RAT/zarr.json"))["ROWCOUNT"], 6);
});

t("F-4.4: when ROWCOUNT and a column disagree: the RAT opens, ROWCOUNT is the count, reads stop at the column's end, setRowCount resizes, verify reports rowcount", async () => {
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "int32");
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.close();
  const store = new FileSystemStore(path);
  await editJson(store, "RAT/zarr.json", (doc) => void ((doc["attributes"] as JsonObject)["ROWCOUNT"] = 12));
  const problems = await verifyRat(store);
  assert.equal(problems.map((p) => [p.kind, p.key, p.statement]), [["rowcount", "RAT/a/zarr.json", "F-4.3"], ["rowcount", "RAT/b/zarr.json", "F-4.3"]]);
  const ro = await RatZarr.open(path, { readOnly: true });
  assert.is(ro.getRowCount(), 12);
  assert.equal(Array.from(await ro.readBlock<"int32">("a", 8, 4)), [9, 10]);
  await ro.close();
  const w = await RatZarr.open(path, quiet);
  await w.setRowCount(12);
  await w.close();
  for (const c of ["a", "b"]) assert.match(await text(store, `RAT/${c}/zarr.json`), /"shape": \[\n {4}12\n/);
  assert.equal(await verifyRat(store), []);
});

t("F-4.5: no ROWCOUNT or CHUNKSIZE (Python ratzarr before 1.0.2): first column's rows, 500000; stored after the other attributes on a writable open only", async () => {
  for (const readOnly of [true, false]) {
    const store = new MemoryStore();
    const rz = await RatZarr.open(store, quiet);
    await rz.setChunkSize(4);
    await rz.setRowCount(7);
    await rz.createColumn("m", "int32");
    await rz.createColumn("k", "int32");
    await rz.close();
    await editJson(store, "RAT/k/zarr.json", (doc) => void (doc["shape"] = [9]));
    await editJson(store, "RAT/zarr.json", (doc) => void (doc["attributes"] = { title: "old" }));
    const before = await text(store, "RAT/zarr.json");
    const h = await RatZarr.open(store, readOnly ? { readOnly } : quiet);
    // "k" comes first in name order: its 9 rows, not m's 7.
    assert.is(h.getRowCount(), 9);
    assert.is(h.getRATChunkSize(), 500000);
    await h.close();
    if (readOnly) assert.is(await text(store, "RAT/zarr.json"), before);
    else assert.is(await text(store, "RAT/zarr.json"), '{\n  "attributes": {\n    "title": "old",\n    "ROWCOUNT": 9,\n    "CHUNKSIZE": 500000\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  }
  const empty = new MemoryStore();
  await (await RatZarr.open(empty, quiet)).close();
  await editJson(empty, "RAT/zarr.json", (doc) => void (doc["attributes"] = {}));
  const h = await RatZarr.open(empty, quiet);
  assert.is(h.getRowCount(), 0);
  await h.close();
  assert.equal(await attrsOf(empty, "RAT/zarr.json"), { ROWCOUNT: 0, CHUNKSIZE: 500000 });
});

for (const z of zarrPythons()) t(`F-4.6 F-4.7: MODIFICATIONLOG: [] for a new column, then [time, user, argv] entries; time UTC to the second with +00:00; zarr-python reads them [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, { ...quiet, provenance: { user: "ann", argv: ["job", "--x=é"] } });
  await rz.setRowCount(2);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "int32");
  assert.equal(await rz.getModificationLog("a"), []);
  const before = Math.floor(Date.now() / 1000) * 1000;
  await rz.writeBlock("a", Int32Array.from([1, 2]), 0);
  const after = Date.now();
  await rz.close();
  const store = new FileSystemStore(path);
  assert.match(await text(store, "RAT/b/zarr.json"), /"attributes": \{\n {4}"MODIFICATIONLOG": \[\]\n {2}\}/);
  const log = (await attrsOf(store, "RAT/a/zarr.json"))["MODIFICATIONLOG"] as [string, string, string[]][];
  assert.is(log.length, 1);
  const [time, user, argv] = log[0]!;
  assert.match(time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  const ms = Date.parse(time);
  assert.ok(ms >= before && ms <= after, time);
  assert.equal([user, argv], ["ann", ["job", "--x=é"]]);
  const seen = python(`
import datetime
g = zarr.open_group(store=LocalStore(inp, read_only=True), path="RAT", mode="r")
log = g["a"].attrs["MODIFICATIONLOG"]
t = datetime.datetime.fromisoformat(log[0][0])
out({"log": log, "b": g["b"].attrs["MODIFICATIONLOG"], "utc": t.utcoffset().total_seconds(), "iso": t.isoformat(timespec="seconds")})
`, path) as { log: unknown; b: unknown; utc: number; iso: string };
  assert.equal(seen.log, [[time, "ann", ["job", "--x=é"]]]);
  assert.equal(seen.b, []);
  assert.is(seen.utc, 0);
  assert.is(seen.iso, time);
});

t("F-4.8: one entry per column per handle, on its first data write; none for attributes or resizes; stored entries kept as they are", async () => {
  const store = new MemoryStore();
  const a = await RatZarr.open(store, { ...quiet, provenance: { user: "u1", argv: ["one"] } });
  await a.setRowCount(4);
  await a.createColumn("x", "int32");
  await a.createColumn("y", "int32");
  await editJson(store, "RAT/x/zarr.json", (doc) => void ((doc["attributes"] as JsonObject)["MODIFICATIONLOG"] = [["2001-02-03T04:05:06+00:00", "old", ["legacy", "α"]]]));
  await a.writeBlock("x", Int32Array.from([1, 2, 3, 4]), 0);
  await a.writeBlock("x", Int32Array.from([5]), 1);
  await (await a.getColumnAttributeMapping("x")).set("units", "m");
  await a.setRowCount(8);
  await a.close();
  const b = await RatZarr.open(store, { ...quiet, provenance: { user: "u2", argv: ["two"] } });
  await b.writeBlock("x", Int32Array.from([9]), 0);
  await b.writeBlock("y", Int32Array.from([9]), 0);
  await b.close();
  const log = (await attrsOf(store, "RAT/x/zarr.json"))["MODIFICATIONLOG"] as [string, string, string[]][];
  assert.equal(log.map((e) => [e[1], e[2]]), [["old", ["legacy", "α"]], ["u1", ["one"]], ["u2", ["two"]]]);
  assert.is(log[0]![0], "2001-02-03T04:05:06+00:00");
  assert.equal(((await attrsOf(store, "RAT/y/zarr.json"))["MODIFICATIONLOG"] as unknown[]).length, 1);
});

t("F-4.9: a log that is not a list, or a bad entry, is a MetadataError; verify names each bad entry and bad time as log-entry (F-4.9)", async () => {
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setRowCount(1);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "int32");
  await rz.close();
  const store = new FileSystemStore(path);
  await editJson(store, "RAT/a/zarr.json", (doc) => void ((doc["attributes"] as JsonObject)["MODIFICATIONLOG"] = [["2020-01-01T00:00:00+00:00", "u", ["a", 1]], ["not a time", "u", []], ["2020-01-01T00:00:00+00:00", "u"]]));
  await editJson(store, "RAT/b/zarr.json", (doc) => void ((doc["attributes"] as JsonObject)["MODIFICATIONLOG"] = { x: 1 }));
  const h = await RatZarr.open(path, { readOnly: true });
  for (const c of ["a", "b"]) {
    const e = await rejects(() => h.getModificationLog(c));
    assert.instance(e, MetadataError);
    assert.is((e as MetadataError).key, "MODIFICATIONLOG");
  }
  await h.close();
  const problems = await verifyRat(store);
  assert.equal(problems.map((p) => [p.kind, p.key, p.numbers?.["entry"] ?? null, p.statement]), [
    ["log-entry", "RAT/a/zarr.json", 0, "F-4.9"],
    ["log-entry", "RAT/a/zarr.json", 1, "F-4.9"],
    ["log-entry", "RAT/a/zarr.json", 2, "F-4.9"],
    ["log-entry", "RAT/b/zarr.json", null, "F-4.9"],
  ]);
});

t.run();
