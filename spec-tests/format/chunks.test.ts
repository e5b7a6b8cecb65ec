/**
 * docs/FORMAT.md section 5: data types, fill values, missing chunks, edge
 * chunks, all-fill chunks and the cleared tail after a shrink, with
 * zarr-python (3.1.6 and 3.4.x) as the second opinion.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { FileSystemStore, RatZarr, ZarrArray, nodeRuntime } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { RatZarrError } from "../../src/errors.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { parseArrayMetadata } from "../../src/format/metadata.js";
import type { Store } from "../../src/stores/store.js";
import { verifyRat } from "../../src/cli/verify.js";
import { cleanup, editJson, keys, quiet, tempDir, text } from "./helpers.js";
import { pythonOf, zarrPythons } from "./python.js";

const t = suite("format: data types, fill values, chunks");
t.after.each(cleanup);

/** The stored chunk `key` of the array at `path`, decoded with the array's own codecs (every element, padding included). */
async function rawChunk(store: Store, path: string, key: string): Promise<ArrayLike<unknown>> {
  const file = `${path}/zarr.json`;
  const meta = parseArrayMetadata(await text(store, file), file);
  const pipeline = await CodecPipeline.create(meta.codecs, { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue }, file, { codecs: nodeRuntime().codecs });
  const bytes = await store.get(key);
  if (bytes === undefined) throw new Error(`${key} is not stored`);
  return pipeline.decode(bytes, { key });
}

const list = (a: ArrayLike<unknown>) => Array.from(a as ArrayLike<number>);

for (const z of zarrPythons()) t(`F-5.1: columns of the twelve types are written; float16 is read (zarr-python's) but never written [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  for (const dt of ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"] as const) await rz.createColumn(`c_${dt}`, dt);
  try {
    await rz.createColumn("h", "float16" as never);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RatZarrError);
  }
  await rz.close();
  assert.is((await keys(store)).filter((k) => k.endsWith("zarr.json")).length, 14);
  const dir = tempDir();
  python(`
a = zarr.create_array(store=LocalStore(inp), shape=(5,), chunks=(2,), dtype="float16")
a[...] = np.array([0.5, -2, 65504, 1e-7, float("inf")], dtype="float16")
`, dir);
  const arr = await ZarrArray.open(new FileSystemStore(dir), "");
  const v = list(await arr.read());
  assert.equal(v.slice(0, 3).concat(v.slice(4)), [0.5, -2, 65504, Infinity]);
  assert.ok(Math.abs((v[3] as number) - 1.1920928955078125e-7) < 1e-9);
  try {
    await arr.write(0, new Float32Array(5).fill(1) as never);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RatZarrError);
  }
});

for (const z of zarrPythons()) t(`F-5.3 F-5.4: fill values as zarr-python writes them (NaN, ±Infinity, past 2^53) and by hand (hex bits, string "0"); missing chunks read as the fill, both ways [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  python(`
st = LocalStore(inp)
for name, dt, fill in [("nan", "float64", float("nan")), ("inf", "float32", float("inf")), ("ninf", "float64", float("-inf")), ("big", "int64", 2**62 + 1), ("ubig", "uint64", 2**64 - 1)]:
    a = zarr.create_array(store=st, name=name, shape=(7,), chunks=(3,), dtype=dt, fill_value=fill)
    a[0:1] = np.array([1], dtype=dt)
out([open(os.path.join(inp, n, "zarr.json")).read() for n in ["nan", "big"]])
`, dir);
  const store = new FileSystemStore(dir);
  assert.match(await text(store, "nan/zarr.json"), /"fill_value": "NaN"/);
  const read = async (name: string) => list(await (await ZarrArray.open(store, name)).read());
  const nan = await read("nan");
  assert.is(nan[0], 1);
  assert.ok(nan.slice(1).every((x) => Number.isNaN(x)));
  assert.equal((await read("inf")).slice(1), [Infinity, Infinity, Infinity, Infinity, Infinity, Infinity]);
  assert.equal((await read("ninf")).slice(3), [-Infinity, -Infinity, -Infinity, -Infinity]);
  assert.equal((await read("big")).slice(3), [2n ** 62n + 1n, 2n ** 62n + 1n, 2n ** 62n + 1n, 2n ** 62n + 1n] as never);
  assert.equal((await read("ubig")).slice(6), [2n ** 64n - 1n] as never);
  // By hand: a hex bit pattern (a NaN with a payload) and the string fill zarr-python 3.0.x wrote.
  await editJson(store, "inf/zarr.json", (doc) => void (doc["fill_value"] = "0x7fc00001"));
  assert.ok((await read("inf")).slice(3).every((x) => Number.isNaN(x)));
  await ZarrArray.create(store, "s", { shape: [4], dataType: "string", chunkShape: [2] });
  await editJson(store, "s/zarr.json", (doc) => void (doc["fill_value"] = "0"));
  assert.equal(await read("s"), ["0", "0", "0", "0"] as never);
  // The other way: a column this library never wrote reads as its fill value in zarr-python.
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(3);
  await rz.setRowCount(7);
  await rz.createColumn("f", "float64");
  await rz.createColumn("s", "string");
  await rz.writeBlock("f", Float64Array.from([1.5]), 3);
  await rz.close();
  assert.equal(await keys(new FileSystemStore(path), "RAT/f/c/"), ["RAT/f/c/1"]);
  const seen = python(`
g = zarr.open_group(store=LocalStore(inp, read_only=True), path="RAT", mode="r")
out([[float(x) for x in g["f"][...]], [str(x) for x in g["s"][...]]])
`, path);
  assert.equal(seen, [[0, 0, 0, 1.5, 0, 0, 0], ["", "", "", "", "", "", ""]]);
});

for (const z of zarrPythons()) t(`F-5.5: every stored chunk holds the whole chunk shape, the edge padded with the fill value, rows in C order; zarr-python's chunks decode the same [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.createColumn("w", "uint16", { width: 3 });
  await rz.createColumn("s", "string");
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.writeBlock("w", Uint16Array.from({ length: 30 }, (_, i) => i + 1), 0);
  await rz.writeBlock("s", Array.from({ length: 10 }, (_, i) => `r${i}`), 0);
  await rz.close();
  const store = new FileSystemStore(path);
  assert.equal(list(await rawChunk(store, "RAT/a", "RAT/a/c/2")), [9, 10, 0, 0]);
  assert.equal(list(await rawChunk(store, "RAT/w", "RAT/w/c/2/0")), [25, 26, 27, 28, 29, 30, 0, 0, 0, 0, 0, 0]);
  assert.equal(Array.from(await rawChunk(store, "RAT/s", "RAT/s/c/2")), ["r8", "r9", "", ""]);
  // zarr-python writes the same data; its chunks, decoded here, hold the same elements.
  const py = join(dir, "py.zarr");
  python(`
st = LocalStore(inp)
a = zarr.create_array(store=st, name="a", shape=(10,), chunks=(4,), dtype="int32"); a[...] = np.arange(1, 11)
w = zarr.create_array(store=st, name="w", shape=(10, 3), chunks=(4, 3), dtype="uint16"); w[...] = np.arange(1, 31).reshape(10, 3)
s = zarr.create_array(store=st, name="s", shape=(10,), chunks=(4,), dtype=np.dtypes.StringDType()); s[...] = np.array(["r%d" % i for i in range(10)], dtype=np.dtypes.StringDType())
`, py);
  const theirs = new FileSystemStore(py);
  for (const [p, k] of [["a", "a/c/2"], ["w", "w/c/2/0"], ["s", "s/c/2"], ["a", "a/c/0"]] as const) {
    assert.equal(Array.from(await rawChunk(theirs, p, k)), Array.from(await rawChunk(store, `RAT/${p}`, `RAT/${k}`)), k);
  }
});

for (const z of zarrPythons()) t(`F-5.6: a chunk all fill value after a write is not stored and its key is deleted; NaN equals a NaN fill, -0.0 differs from 0.0; zarr-python keeps the same keys [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(2);
  await rz.setRowCount(6);
  await rz.createColumn("f", "float64");
  await rz.writeBlock("f", Float64Array.from([1, 2, 3, 4, 5, 6]), 0);
  await rz.writeBlock("f", Float64Array.from([0, 0]), 2);
  await rz.writeBlock("f", Float64Array.from([-0, 0]), 4);
  await rz.close();
  const store = new FileSystemStore(path);
  assert.equal(await keys(store, "RAT/f/c/"), ["RAT/f/c/0", "RAT/f/c/2"]);
  assert.ok(Object.is(list(await rawChunk(store, "RAT/f", "RAT/f/c/2"))[0], -0));
  await ZarrArray.create(store, "n", { shape: [4], dataType: "float32", chunkShape: [2], fillValue: NaN });
  const n = await ZarrArray.open(store, "n");
  await n.write(0, Float32Array.from([NaN, NaN, 1, NaN]));
  assert.equal(await keys(store, "n/c/"), ["n/c/1"]);
  const py = python(`
st = LocalStore(inp)
f = zarr.create_array(store=st, name="f", shape=(6,), chunks=(2,), dtype="float64")
f[...] = np.array([1, 2, 3, 4, 5, 6.0]); f[2:4] = np.array([0.0, 0.0]); f[4:6] = np.array([-0.0, 0.0])
n = zarr.create_array(store=st, name="n", shape=(4,), chunks=(2,), dtype="float32", fill_value=float("nan"))
n[...] = np.array([np.nan, np.nan, 1, np.nan], dtype="float32")
out(sorted(os.path.relpath(os.path.join(r, x), inp) for r, _, fs in os.walk(inp) for x in fs if x != "zarr.json"))
`, join(dir, "py.zarr"));
  assert.equal(py, ["f/c/0", "f/c/2", "n/c/1"]);
});

for (const z of zarrPythons()) t(`F-5.7: a shrink deletes chunks past the end and resets the edge chunk's tail (deleting it when all fill); a grow reads fill, in zarr-python too [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(12);
  await rz.createColumn("a", "int32");
  await rz.createColumn("b", "int32");
  await rz.writeBlock("a", Int32Array.from({ length: 12 }, (_, i) => i + 1), 0);
  await rz.writeBlock("b", Int32Array.from([1, 2, 3, 4, 0, 0, 7, 8, 9, 10, 11, 12]), 0);
  await rz.setRowCount(6);
  const store = new FileSystemStore(path);
  assert.equal(await keys(store, "RAT/a/c/"), ["RAT/a/c/0", "RAT/a/c/1"]);
  assert.equal(list(await rawChunk(store, "RAT/a", "RAT/a/c/1")), [5, 6, 0, 0]);
  // b's rows 4 and 5 were 0: its edge chunk is all fill once the tail is reset.
  assert.equal(await keys(store, "RAT/b/c/"), ["RAT/b/c/0"]);
  await rz.setRowCount(12);
  assert.equal(Array.from(await rz.readBlock<"int32">("a", 0, 12)), [1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0]);
  await rz.close();
  const seen = python(`
g = zarr.open_group(store=LocalStore(inp, read_only=True), path="RAT", mode="r")
out([[int(x) for x in g["a"][...]], [int(x) for x in g["b"][...]]])
`, path);
  assert.equal(seen, [[1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]]);
});

t("F-5.8: chunks that do not decode, have the wrong size or lie outside the grid are reported (F-5.8); a reader never reads past the grid", async () => {
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  await rz.createColumn("a", "int32");
  await rz.writeBlock("a", Int32Array.from({ length: 10 }, (_, i) => i + 1), 0);
  await rz.close();
  const store = new FileSystemStore(path);
  assert.equal(await verifyRat(store), []);
  cpSync(join(path, "RAT/a/c/0"), join(path, "RAT/a/c/3"));
  const h = await RatZarr.open(path, { readOnly: true });
  assert.equal(Array.from(await h.readBlock<"int32">("a", 0, 20)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await h.close();
  await store.set("RAT/a/c/1", new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20]));
  await ZarrArray.create(store, "RAT/raw", { shape: [10], dataType: "int32", chunkShape: [4], codecs: [{ name: "bytes", configuration: { endian: "little" } }], attributes: { MODIFICATIONLOG: [] } });
  await store.set("RAT/raw/c/0", new Uint8Array(12));
  const problems = await verifyRat(store);
  assert.equal(problems.map((p) => [p.kind, p.key, p.statement]), [
    ["chunk-decode", "RAT/a/c/1", "F-5.8"],
    ["orphan-chunk", "RAT/a/c/3", "F-5.8"],
    ["chunk-size", "RAT/raw/c/0", "F-5.8"],
  ]);
});

t.run();
