/**
 * docs/FORMAT.md sections 1 and 2: what a reader does with what it does not
 * know, and the tree of keys of a RAT (groups, columns, names, chunk keys,
 * strays, the filesystem store's own files).
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { FileSystemStore, RatZarr, ZarrArray } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { MetadataError, NodeError, RatZarrError, StoreError } from "../../src/errors.js";
import { parseArrayMetadata } from "../../src/format/metadata.js";
import { isInternalName } from "../../src/stores/fs-lock.js";
import { verifyRat } from "../../src/cli/verify.js";
import { cleanup, editJson, keys, putJson, quiet, recording, tempDir, text } from "./helpers.js";
import { pythonOf, zarrPythons } from "./python.js";

const t = suite("format: tree and keys");
t.after.each(cleanup);

/** A RAT of 10 rows in chunks of 4 with int32 "a" (values 1..10) in `store`. */
async function smallRat(store: MemoryStore | FileSystemStore = new MemoryStore()) {
  const rz = await RatZarr.open(store, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.close();
  return store;
}

async function rejects(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

t("F-1.1: another zarr_format: a root makes no RAT (not-a-rat); a RAT group or a column is a MetadataError naming file and field", async () => {
  const root = await smallRat();
  await editJson(root, "zarr.json", (doc) => void (doc["zarr_format"] = 2));
  const n = await rejects(() => RatZarr.open(root, { readOnly: true }));
  assert.instance(n, NodeError);
  assert.is((n as NodeError).code, "not-a-rat");
  const group = await smallRat();
  await editJson(group, "RAT/zarr.json", (doc) => void (doc["zarr_format"] = 2));
  const g = await rejects(() => RatZarr.open(group, { readOnly: true }));
  assert.instance(g, MetadataError);
  assert.equal([(g as MetadataError).file, (g as MetadataError).key], ["RAT/zarr.json", "zarr_format"]);
  const store = await smallRat();
  await editJson(store, "RAT/a/zarr.json", (doc) => void (doc["zarr_format"] = 2));
  const rz = await RatZarr.open(store, { readOnly: true });
  const e = await rejects(() => rz.readBlock("a", 0, 1));
  assert.instance(e, MetadataError);
  assert.is((e as MetadataError).file, "RAT/a/zarr.json");
  assert.is((e as MetadataError).key, "zarr_format");
});

t("F-1.3: an unknown top-level key is refused unless must_understand is false; such a key is kept on rewrite, after the known keys", async () => {
  const store = await smallRat();
  const ext = { must_understand: false, note: "kept" };
  await editJson(store, "RAT/a/zarr.json", (doc) => void (doc["ext"] = ext));
  await editJson(store, "RAT/zarr.json", (doc) => void (doc["gext"] = ext));
  const rz = await RatZarr.open(store, quiet);
  await (await rz.getColumnAttributeMapping("a")).set("units", "m");
  await (await rz.getRatAttributeMapping()).set("title", "t");
  await rz.close();
  const col = await text(store, "RAT/a/zarr.json");
  assert.ok(col.endsWith('  "storage_transformers": [],\n  "ext": {\n    "must_understand": false,\n    "note": "kept"\n  }\n}'), col);
  assert.ok((await text(store, "RAT/zarr.json")).endsWith('  "node_type": "group",\n  "gext": {\n    "must_understand": false,\n    "note": "kept"\n  }\n}'));
  await editJson(store, "RAT/a/zarr.json", (doc) => void (doc["other"] = 1));
  const e = await rejects(async () => (await RatZarr.open(store, { readOnly: true })).readBlock("a", 0, 1));
  assert.instance(e, MetadataError);
  assert.is((e as MetadataError).key, "other");
  await editJson(store, "RAT/a/zarr.json", (doc) => {
    delete doc["other"];
    doc["ext2"] = { must_understand: true };
  });
  assert.instance(await rejects(async () => (await RatZarr.open(store, { readOnly: true })).readBlock("a", 0, 1)), MetadataError);
});

t("F-1.4: an unknown data type, codec, chunk grid, storage transformer or codec order is refused with a MetadataError naming the file", async () => {
  const store = await smallRat();
  const good = JSON.parse(await text(store, "RAT/a/zarr.json")) as Record<string, unknown>;
  parseArrayMetadata(JSON.stringify(good), "f.json");
  const bad: [string, (d: Record<string, unknown>) => void][] = [
    ["data_type", (d) => void (d["data_type"] = "complex128")],
    ["codecs", (d) => void (d["codecs"] = [{ name: "bytes", configuration: { endian: "little" } }, { name: "lz77" }])],
    ["chunk_grid", (d) => void (d["chunk_grid"] = { name: "rectilinear", configuration: { chunk_shape: [4] } })],
    ["storage_transformers", (d) => void (d["storage_transformers"] = [{ name: "x" }])],
    ["codecs", (d) => void (d["codecs"] = [{ name: "zstd" }, { name: "bytes", configuration: { endian: "little" } }])],
  ];
  for (const [key, change] of bad) {
    const doc = structuredClone(good);
    change(doc);
    try {
      parseArrayMetadata(JSON.stringify(doc), "RAT/a/zarr.json");
      assert.unreachable(`accepted a bad ${key}`);
    } catch (e) {
      assert.instance(e, MetadataError);
      assert.is((e as MetadataError).file, "RAT/a/zarr.json");
      assert.is((e as MetadataError).key, key);
    }
  }
});

t("F-1.5: attributes this library does not know survive every rewrite of root, RAT group and column", async () => {
  const store = await smallRat();
  const foreign = { "gdal:usage": "MinMax", nested: { list: [1, 2.5, "x"] } };
  for (const k of ["zarr.json", "RAT/zarr.json", "RAT/a/zarr.json"]) await editJson(store, k, (doc) => void Object.assign(doc["attributes"] as object, foreign));
  const rz = await RatZarr.open(store, quiet);
  await rz.setRowCount(13);
  await rz.writeBlock("a", Int32Array.from([7, 8, 9]), 10);
  await rz.setChunkSize(8);
  await (await rz.getColumnAttributeMapping("a")).set("units", "m");
  await rz.setRowCount(5);
  await rz.close();
  for (const k of ["RAT/zarr.json", "RAT/a/zarr.json"]) {
    const attrs = (JSON.parse(await text(store, k)) as { attributes: Record<string, unknown> }).attributes;
    assert.equal(attrs["gdal:usage"], "MinMax", k);
    assert.equal(attrs["nested"], foreign.nested, k);
  }
  assert.ok((await text(store, "RAT/a/zarr.json")).includes('"units": "m"'));
});

t("F-1.6 F-2.2: files beside the root, in RAT/ and folders without zarr.json are not columns; columns are found by listing", async () => {
  const store = await smallRat();
  await store.set("README", new Uint8Array([1]));
  await store.set("RAT/notes.txt", new Uint8Array([1]));
  await store.set("RAT/nometa/c/0", new Uint8Array([1]));
  // A column made by another writer, with nothing but its zarr.json: found by listing.
  const other = await RatZarr.open(store, quiet);
  await other.createColumn("b", "float64");
  await other.close();
  const rz = await RatZarr.open(store, { readOnly: true });
  assert.equal(await rz.getColumnNames(), ["a", "b"]);
  assert.equal(Array.from(await rz.readBlock<"int32">("a", 0, 3)), [1, 2, 3]);
  assert.is(await RatZarr.isValidRatZarr(store), true);
  await rz.close();
  // No list of columns is stored anywhere: RAT/zarr.json does not name them.
  assert.not.match(await text(store, "RAT/zarr.json"), /"a"|"b"/);
});

t("F-2.1: a RAT is a root group holding the group RAT; created RAT group first, root last; anything else is not a RAT", async () => {
  const { store, writes } = recording(new MemoryStore());
  await (await RatZarr.open(store, quiet)).close();
  assert.equal(writes.map((w) => w.key), ["RAT/zarr.json", "zarr.json"]);
  assert.is(await RatZarr.isValidRatZarr(store), true);
  // Without the root: not valid; a writable open finishes the creation.
  const cut = new MemoryStore();
  await cut.set("RAT/zarr.json", await store.get("RAT/zarr.json") as Uint8Array);
  assert.is(await RatZarr.isValidRatZarr(cut), false);
  assert.is(((await rejects(() => RatZarr.open(cut, { readOnly: true }))) as NodeError).code, "not-a-rat");
  await (await RatZarr.open(cut, quiet)).close();
  assert.is(await text(cut, "zarr.json"), await text(store, "zarr.json"));
  // A RAT "group" that is an array: not a RAT, left untouched.
  const arr = new MemoryStore();
  await putJson(arr, "zarr.json", { attributes: {}, zarr_format: 3, node_type: "group" });
  await ZarrArray.create(arr, "RAT", { shape: [1], dataType: "int32", chunkShape: [1] });
  assert.is(await RatZarr.isValidRatZarr(arr), false);
  const e = await rejects(() => RatZarr.open(arr, quiet));
  assert.is((e as NodeError).code, "not-a-rat");
  const d = await rejects(() => RatZarr.delete(arr));
  assert.is((d as NodeError).code, "not-a-rat");
  assert.equal(await keys(arr), ["RAT/zarr.json", "zarr.json"]);
});

t("F-2.3: column names: empty, '/', dots only, '__', 'zarr.json', backslash, control characters and lone surrogates refused; others kept exactly", async () => {
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  for (const name of ["", "a/b", ".", "..", "...", "__x", "zarr.json", "a\\b", "a\u0001", "x\ud800"]) {
    const e = await rejects(() => rz.createColumn(name, "int32"));
    assert.instance(e, RatZarrError, JSON.stringify(name));
  }
  for (const name of ["Área 1", ".hidden", "a.b", "_x", "A", "a"]) await rz.createColumn(name, "int32");
  assert.equal(await rz.getColumnNames(), [".hidden", "A", "_x", "a", "a.b", "Área 1"]);
  await rz.close();
  assert.ok((await keys(store)).includes("RAT/Área 1/zarr.json"));
});

for (const z of zarrPythons()) t(`F-2.4 F-2.5: width 1 is [rows] chunked [chunksize] with keys c/<i>; width 3 is [rows, 3] chunked [chunksize, 3] with keys c/<i>/0; zarr-python agrees [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "ts.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.createColumn("w", "uint16", { width: 3 });
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.writeBlock("w", Uint16Array.from({ length: 30 }, (_, i) => i + 1), 0);
  await rz.close();
  const store = new FileSystemStore(path);
  assert.equal((await keys(store, "RAT/a/")), ["RAT/a/c/0", "RAT/a/c/1", "RAT/a/c/2", "RAT/a/zarr.json"]);
  assert.equal((await keys(store, "RAT/w/")), ["RAT/w/c/0/0", "RAT/w/c/1/0", "RAT/w/c/2/0", "RAT/w/zarr.json"]);
  const py = python(`
g = zarr.open_group(store=LocalStore(inp["ts"], read_only=True), path="RAT", mode="r")
mine = {n: {"shape": list(g[n].shape), "chunks": list(g[n].chunks)} for n in ["a", "w"]}
# zarr-python's own arrays of the same shapes: which chunk keys does it write?
st = LocalStore(inp["py"])
a = zarr.create_array(store=st, name="a", shape=(10,), chunks=(4,), dtype="int32"); a[...] = np.arange(1, 11)
w = zarr.create_array(store=st, name="w", shape=(10, 3), chunks=(4, 3), dtype="uint16"); w[...] = np.arange(1, 31).reshape(10, 3)
files = sorted(os.path.relpath(os.path.join(r, f), inp["py"]) for r, _, fs in os.walk(inp["py"]) for f in fs)
out({"mine": mine, "files": files})
`, { ts: path, py: join(dir, "py.zarr") }) as { mine: unknown; files: string[] };
  assert.equal(py.mine, { a: { shape: [10], chunks: [4] }, w: { shape: [10, 3], chunks: [4, 3] } });
  assert.equal(py.files.filter((f) => f !== "zarr.json"), ["a/c/0", "a/c/1", "a/c/2", "a/zarr.json", "w/c/0/0", "w/c/1/0", "w/c/2/0", "w/zarr.json"]);
});

for (const z of zarrPythons()) t(`F-2.6: chunk keys zarr-python writes with the v2 encoding and with the default encoding and '.' are read [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const files = python(`
for name, enc in [("v2", {"name": "v2", "separator": "."}), ("dot", {"name": "default", "separator": "."})]:
    a = zarr.create_array(store=LocalStore(inp), name=name, shape=(7, 2), chunks=(3, 2), dtype="int32", chunk_key_encoding=enc)
    a[...] = np.arange(14).reshape(7, 2) + 1
out(sorted(os.path.relpath(os.path.join(r, f), inp) for r, _, fs in os.walk(inp) for f in fs))
`, dir) as string[];
  assert.equal(files.filter((f) => !f.endsWith("zarr.json")), ["dot/c.0.0", "dot/c.1.0", "dot/c.2.0", "v2/0.0", "v2/1.0", "v2/2.0"]);
  const store = new FileSystemStore(dir, { readOnly: true });
  for (const name of ["v2", "dot"]) {
    const a = await ZarrArray.open(store, name);
    assert.equal(Array.from(await a.read() as Int32Array), Array.from({ length: 14 }, (_, i) => i + 1), name);
  }
});

t("F-2.7: any other key is a stray: verify reports stray-file and names F-2.7; readers ignore it", async () => {
  const dir = tempDir();
  const store = await smallRat(new FileSystemStore(join(dir, "r.zarr")));
  writeFileSync(join(dir, "r.zarr", "README"), "x");
  writeFileSync(join(dir, "r.zarr", "RAT", "a", "c", "0.bak"), "x");
  writeFileSync(join(dir, "r.zarr", "RAT", "a", "notes"), "x");
  const problems = await verifyRat(store);
  assert.equal(problems.map((p) => [p.kind, p.key, p.statement]), [
    ["stray-file", "RAT/a/c/0.bak", "F-2.7"],
    ["stray-file", "RAT/a/notes", "F-2.7"],
    ["stray-file", "README", "F-2.7"],
  ]);
  const rz = await RatZarr.open(store, { readOnly: true });
  assert.equal(Array.from(await rz.readBlock<"int32">("a", 0, 10)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await rz.close();
});

t("F-2.8: the filesystem store's own files: their names, never listed, refused as keys, reported by verify with F-2.8", async () => {
  for (const n of ["__0.ratzarr-lock", "__zarr.json.ratzarr-break", "__0.0123456789ab.ratzarr-tmp", "__c.0.ratzarr-lock"]) assert.ok(isInternalName(n), n);
  for (const n of ["0", "zarr.json", "0.ratzarr-lock", "__0.0123456789AB.ratzarr-tmp", "__0.012345.ratzarr-tmp", "_0.ratzarr-lock"]) assert.not.ok(isInternalName(n), n);
  const dir = tempDir();
  const root = join(dir, "r.zarr");
  const store = await smallRat(new FileSystemStore(root));
  writeFileSync(join(root, "RAT/a/c/__0.ratzarr-lock"), JSON.stringify({ pid: 999999, host: hostname(), time: Date.now() - 5000 }));
  writeFileSync(join(root, "RAT/a/__zarr.json.ratzarr-break"), "");
  writeFileSync(join(root, "RAT/a/__zarr.json.0123456789ab.ratzarr-tmp"), "half");
  mkdirSync(join(root, "RAT/b"));
  assert.equal(await keys(store), ["RAT/a/c/0", "RAT/a/c/1", "RAT/a/c/2", "RAT/a/zarr.json", "RAT/zarr.json", "zarr.json"]);
  assert.ok(readdirSync(join(root, "RAT/a/c")).includes("__0.ratzarr-lock"));
  try {
    await store.set("RAT/a/c/__1.ratzarr-lock", new Uint8Array(1));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, StoreError);
  }
  const problems = await verifyRat(store);
  assert.equal(problems.map((p) => [p.kind, p.key, p.statement]), [
    ["temp-file", "RAT/a/__zarr.json.0123456789ab.ratzarr-tmp", "F-2.8"],
    ["lock-file", "RAT/a/__zarr.json.ratzarr-break", "F-2.8"],
    ["lock-file", "RAT/a/c/__0.ratzarr-lock", "F-2.8"],
  ]);
  const rz = await RatZarr.open(root, { readOnly: true });
  assert.equal(await rz.getColumnNames(), ["a"]);
  await rz.close();
});

t.run();
