/**
 * docs/FORMAT.md section 3: the bytes of every zarr.json, checked against
 * Python's json module and zarr-python (3.1.6 and 3.4.x) writing the same documents.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { FileSystemStore, RatZarr, ZarrArray, type ColumnDataType } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { CodecError, MetadataError, RatZarrError } from "../../src/errors.js";
import { MAX_JSON_DEPTH, parseJson, stringifyJson } from "../../src/format/json.js";
import { parseArrayMetadata, parseGroupMetadata } from "../../src/format/metadata.js";
import type { JsonObject, JsonValue } from "../../src/codecs/codec.js";
import { cleanup, editJson, putJson, quiet, tempDir, text } from "./helpers.js";
import { pythonOf, zarrPythons } from "./python.js";

const t = suite("format: zarr.json");
t.after.each(cleanup);

const TYPES: ColumnDataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];

for (const z of zarrPythons()) t(`F-3.1 F-3.2: the JSON writer gives what Python's json.dumps(indent=2) gives: layout, escapes, integers, floats, NaN [zarr-python ${z.version}]`, () => {
  const python = pythonOf(z);
  const doc = {
    s: ["plain", "é", "日本", "😀", "\u0001\u001f\u007f", "tab\t nl\n cr\r bs\b ff\f", 'q"uote', "back\\slash", "sl/ash", ""],
    ints: [0, -1, 2 ** 53 - 1, -(2 ** 53), 2n ** 63n + 5n, -(2n ** 70n)],
    floats: [0.5, -0.0, 0.1, 1e16, 1.5e16, 1e-5, 0.0001, 123456789.123, 5e-324, 1.7976931348623157e308, 1e22, -2.5e-7],
    special: [NaN, Infinity, -Infinity],
    empty: { o: {}, l: [] },
    nested: { a: [[1, [2, { b: null }]], true, false] },
  };
  const ours = stringifyJson(doc);
  const theirs = python("out(json.dumps(json.loads(inp['text']), indent=2))", { text: ours });
  assert.is(ours, theirs);
  assert.not.ok(ours.endsWith("\n"));
  assert.ok(ours.includes('"\\u00e9"') && ours.includes('"\\ud83d\\ude00"') && ours.includes('"\\u0001\\u001f\\u007f"'));
  assert.ok(ours.includes('"o": {},\n    "l": []'));
  assert.ok(ours.includes("1e+16") && ours.includes("1e-05") && ours.includes("-0.0") && ours.includes("    NaN,"));
  assert.ok(ours.includes("\n    39614081257132168796771975168\n") || ours.includes("-1180591620717411303424"));
});

for (const z of zarrPythons()) t(`F-3.3: the reader takes bare NaN, Infinity and -Infinity, integers past 2^53 exactly, and refuses nesting past 1000 levels [zarr-python ${z.version}]`, () => {
  const python = pythonOf(z);
  const doc = parseJson('{"a": [NaN, Infinity, -Infinity], "b": 9007199254740993, "c": -18446744073709551615}', "x") as JsonObject;
  const a = doc["a"] as number[];
  assert.ok(Number.isNaN(a[0]));
  assert.equal(a.slice(1), [Infinity, -Infinity]);
  assert.is(doc["b"], 9007199254740993n);
  assert.is(doc["c"], -18446744073709551615n);
  // zarr-python's own attributes, NaN included, read back.
  const pyText = python("out(json.dumps({'attributes': {'x': float('nan'), 'big': 2**64 - 1}, 'zarr_format': 3, 'node_type': 'group'}, indent=2))") as string;
  const g = parseGroupMetadata(pyText, "zarr.json");
  assert.ok(Number.isNaN(g.attributes["x"] as number));
  assert.is(g.attributes["big"], 2n ** 64n - 1n);
  parseJson("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH), "ok");
  try {
    parseJson("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1), "deep");
    assert.unreachable();
  } catch (e) {
    assert.instance(e, MetadataError);
  }
  let deep: unknown = [];
  for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
  try {
    stringifyJson(deep as never);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RatZarrError);
  }
});

for (const z of zarrPythons()) t(`F-3.4 F-9.1 F-4.1: group zarr.json bytes: the 66-byte root and the new RAT group, as zarr-python writes them; no consolidated_metadata [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "ts.zarr");
  await (await RatZarr.open(path, quiet)).close();
  const root = readFileSync(join(path, "zarr.json"), "utf8");
  assert.is(root, '{\n  "attributes": {},\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  assert.is(Buffer.byteLength(root), 66);
  const group = readFileSync(join(path, "RAT/zarr.json"), "utf8");
  assert.is(group, '{\n  "attributes": {\n    "ROWCOUNT": 0,\n    "CHUNKSIZE": 500000\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  const py = python(`
st = LocalStore(inp)
zarr.open_group(store=st, mode="w")
zarr.open_group(store=st, path="RAT", mode="a", attributes={"ROWCOUNT": 0, "CHUNKSIZE": 500000})
out([open(os.path.join(inp, "zarr.json")).read(), open(os.path.join(inp, "RAT", "zarr.json")).read()])
`, join(dir, "py.zarr")) as string[];
  assert.equal(py, [root, group]);
  assert.not.match(root + group, /consolidated_metadata/);
});

for (const z of zarrPythons()) t(`F-3.5 F-3.6 F-5.2 F-6.1 F-1.2: a new column's zarr.json, every data type, widths 1 and 2, equals zarr-python's create_array with default codecs byte for byte [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "ts.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(4);
  await rz.setRowCount(10);
  for (const dt of TYPES) {
    await rz.createColumn(`c_${dt}`, dt);
    await rz.createColumn(`w_${dt}`, dt, { width: 2 });
  }
  await rz.close();
  const theirs = python(`
st = LocalStore(inp["dir"])
res = {}
for dt in inp["types"]:
    npdt = np.dtypes.StringDType() if dt == "string" else np.dtype(dt)
    for name, shape, chunks in [("c_" + dt, (10,), (4,)), ("w_" + dt, (10, 2), (4, 2))]:
        zarr.create_array(store=st, name=name, shape=shape, chunks=chunks, dtype=npdt, attributes={"MODIFICATIONLOG": []})
        res[name] = open(os.path.join(inp["dir"], name, "zarr.json")).read()
out(res)
`, { dir: join(dir, "py.zarr"), types: TYPES }) as Record<string, string>;
  for (const name of Object.keys(theirs).sort()) {
    const ours = readFileSync(join(path, "RAT", name, "zarr.json"), "utf8");
    assert.is(ours, theirs[name], name);
    const doc = JSON.parse(ours) as Record<string, unknown>;
    assert.equal(Object.keys(doc), ["shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs", "attributes", "zarr_format", "node_type", "storage_transformers"], name);
  }
  const one = (dt: string) => readFileSync(join(path, "RAT", `c_${dt}`, "zarr.json"), "utf8");
  assert.match(one("float32"), /"fill_value": 0\.0,/);
  assert.match(one("int64"), /"fill_value": 0,/);
  assert.match(one("bool"), /"fill_value": false,/);
  assert.match(one("string"), /"fill_value": "",/);
  assert.match(one("uint8"), /"codecs": \[\n {4}\{\n {6}"name": "bytes"\n {4}\},\n {4}\{\n {6}"name": "zstd",\n {6}"configuration": \{\n {8}"level": 0,\n {8}"checksum": false\n/);
  assert.match(one("int16"), /"name": "bytes",\n {6}"configuration": \{\n {8}"endian": "little"\n/);
  assert.match(one("string"), /"name": "vlen-utf8",\n {6}"configuration": \{\}\n {4}\},\n {4}\{\n {6}"name": "zstd"/);
});

for (const z of zarrPythons()) t(`F-3.6: dimension_names only when set, between attributes and zarr_format; what zarr-python refuses; bare-name codecs read and rewritten as objects with their configuration [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const store = new MemoryStore();
  await ZarrArray.create(store, "x", { shape: [3, 2], dataType: "uint8", chunkShape: [3, 2], dimensionNames: ["row", null] });
  const x = await text(store, "x/zarr.json");
  assert.match(x, /"attributes": \{\},\n {2}"dimension_names": \[\n {4}"row",\n {4}null\n {2}\],\n {2}"zarr_format": 3/);
  const doc = JSON.parse(x) as Record<string, unknown>;
  doc["codecs"] = ["bytes", "zstd"];
  const m = parseArrayMetadata(JSON.stringify(doc), "x/zarr.json");
  assert.equal(m.codecs.map((c) => c.name), ["bytes", "zstd"]);
  // Written back as objects, never bare names: zstd with the configuration it was read with, bytes of a 1-byte type without one (as zarr-python writes it).
  await store.set("x/zarr.json", new TextEncoder().encode(JSON.stringify(doc)));
  const arr = await ZarrArray.open(store, "x");
  await arr.setAttributes({ k: 1 });
  assert.match(await text(store, "x/zarr.json"), /"codecs": \[\n {4}\{\n {6}"name": "bytes"\n {4}\},\n {4}\{\n {6}"name": "zstd",\n {6}"configuration": \{\n {8}"level": 0,\n {8}"checksum": false\n {6}\}\n {4}\}\n {2}\]/);
  await ZarrArray.create(store, "y", { shape: [3, 2], dataType: "uint8", chunkShape: [3, 2], dimensionNames: ["row", null] });
  // What zarr-python refuses, so a writer must never write it: a null fill value, no codecs, bare codec names, zstd without configuration.
  const seen = python(`
base = json.loads(inp["doc"])
res = {}
for name, change in [("as written", {}), ("null fill", {"fill_value": None}), ("no codecs", {"codecs": []}), ("bare names", {"codecs": ["bytes", "zstd"]}), ("no configuration", {"codecs": [{"name": "bytes"}, {"name": "zstd"}]}), ("int16 bytes without endian", {"data_type": "int16", "codecs": [{"name": "bytes"}]})]:
    p = os.path.join(inp["dir"], name.replace(" ", "_")); os.makedirs(p)
    doc = dict(base); doc.update(change)
    open(os.path.join(p, "zarr.json"), "w").write(json.dumps(doc))
    try:
        zarr.open_array(store=LocalStore(p, read_only=True), mode="r")[...]
        res[name] = "read"
    except Exception as e:
        res[name] = "refused"
out(res)
`, { doc: await text(store, "y/zarr.json"), dir: tempDir() });
  // `bytes` without `endian` for a multi-byte type: zarr-python 3.1 reads it (as little-endian), 3.4 refuses it, and so does this library, when it codes a chunk.
  const endianless = z.version.startsWith("3.1.") ? "read" : "refused";
  assert.equal(seen, { "as written": "read", "null fill": "refused", "no codecs": "refused", "bare names": "refused", "no configuration": "refused", "int16 bytes without endian": endianless });
  await ZarrArray.create(store, "e", { shape: [2], dataType: "int16", chunkShape: [2], codecs: [{ name: "bytes", configuration: { endian: "little" } }] });
  await editJson(store, "e/zarr.json", (d) => void (d["codecs"] = [{ name: "bytes" }]));
  await store.set("e/c/0", Uint8Array.from([1, 0, 2, 0]));
  try {
    await (await ZarrArray.open(store, "e")).read();
    assert.unreachable("int16 bytes without endian was read");
  } catch (e) {
    assert.instance(e, CodecError);
    assert.match((e as Error).message, /no "endian"/);
  }
});

for (const z of zarrPythons()) t(`F-3.6: bare-name and configuration-less codecs (zstd, gzip, blosc, vlen-utf8, crc32c, bytes, inside sharding_indexed too) are rewritten so that zarr-python reads the file it refused [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const store = new FileSystemStore(dir);
  const LE = { name: "bytes", configuration: { endian: "little" } };
  const ZSTD = { name: "zstd", configuration: { level: 0, checksum: false } };
  // Each array is made with the codecs in full, written, then its zarr.json given the short forms `short`.
  const cases: { name: string; dataType: "int32" | "uint8" | "float64" | "int16" | "string"; full: JsonObject[]; short: JsonValue[]; written: JsonValue[]; data: Int32Array | Uint8Array | Float64Array | Int16Array | string[] }[] = [
    { name: "zstd", dataType: "int32", full: [LE, ZSTD], short: [LE, "zstd"], written: [LE, ZSTD], data: Int32Array.from([1, -2, 3, 4, 5]) },
    { name: "u8", dataType: "uint8", full: [{ name: "bytes" }, ZSTD], short: ["bytes", { name: "zstd" }], written: [{ name: "bytes" }, ZSTD], data: Uint8Array.from([9, 8, 7, 6, 5]) },
    { name: "gzip", dataType: "float64", full: [LE, { name: "gzip", configuration: { level: 5 } }, { name: "crc32c" }], short: [LE, { name: "gzip" }, "crc32c"], written: [LE, { name: "gzip", configuration: { level: 5 } }, { name: "crc32c" }], data: Float64Array.from([0.5, NaN, -1e300, 2, 3]) },
    { name: "blosc", dataType: "int16", full: [LE, { name: "blosc", configuration: { cname: "zstd", clevel: 5, shuffle: "shuffle", blocksize: 0 } }], short: [LE, "blosc"], written: [LE, { name: "blosc", configuration: { cname: "zstd", clevel: 5, shuffle: "shuffle", blocksize: 0 } }], data: Int16Array.from([-1, 300, 0, 7, 32767]) },
    { name: "str", dataType: "string", full: [{ name: "vlen-utf8", configuration: {} }, ZSTD], short: ["vlen-utf8", { name: "zstd" }], written: [{ name: "vlen-utf8", configuration: {} }, ZSTD], data: ["a", "", "héllo", "x", "y"] },
    {
      name: "shard",
      dataType: "int32",
      full: [{ name: "sharding_indexed", configuration: { chunk_shape: [2], codecs: [LE, ZSTD], index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }], index_location: "end" } }],
      short: [{ name: "sharding_indexed", configuration: { chunk_shape: [2], codecs: [LE, "zstd"], index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, "crc32c"], index_location: "end" } }],
      written: [{ name: "sharding_indexed", configuration: { chunk_shape: [2], codecs: [LE, ZSTD], index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }], index_location: "end" } }],
      data: Int32Array.from([10, 20, 30, 40, 50]),
    },
  ];
  for (const c of cases) {
    await ZarrArray.create(store, c.name, { shape: [5], dataType: c.dataType, chunkShape: c.name === "shard" ? [4] : [2], codecs: c.full as never });
    await (await ZarrArray.open(store, c.name)).write(0, c.data as never);
    await editJson(store, `${c.name}/zarr.json`, (doc) => void (doc["codecs"] = c.short));
  }
  const read = (names: string[]) =>
    python(`
res = {}
for name in inp["names"]:
    try:
        a = zarr.open_array(store=LocalStore(os.path.join(inp["dir"], name), read_only=True), mode="r")
        res[name] = [x if isinstance(x, str) else float(x) for x in a[...].tolist()]
    except Exception as e:
        res[name] = "refused"
out(res)
`, { dir, names }) as Record<string, JsonValue>;
  const names = cases.map((c) => c.name);
  // zarr-python refuses every one as it is; u8's "bytes" alone would pass, its "zstd" does not.
  assert.equal(read(names), Object.fromEntries(names.map((n) => [n, "refused"])));
  for (const c of cases) {
    const arr = await ZarrArray.open(store, c.name);
    assert.equal(Array.from(await arr.read() as ArrayLike<unknown>), Array.from(c.data as ArrayLike<unknown>), c.name);
    await arr.setAttributes({ rewritten: true });
    const doc = parseJson(await text(store, `${c.name}/zarr.json`), c.name) as JsonObject;
    assert.equal(doc["codecs"], c.written, c.name);
    assert.equal(doc["attributes"], { rewritten: true }, c.name);
  }
  const seen = read(names);
  for (const c of cases) assert.equal(seen[c.name], Array.from(c.data as ArrayLike<unknown>), c.name);
});

t("F-3.7: read, never written: consolidated_metadata (null or an object) dropped on rewrite; no attributes; chunk_key_encoding without configuration; dimension_names", async () => {
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  await rz.createColumn("a", "int32");
  await rz.close();
  for (const cm of [null, { kind: "inline", must_understand: false, metadata: {} }]) {
    await editJson(store, "RAT/zarr.json", (doc) => {
      const attrs = doc["attributes"];
      delete doc["attributes"];
      delete doc["zarr_format"];
      delete doc["node_type"];
      Object.assign(doc, { attributes: attrs, zarr_format: 3, consolidated_metadata: cm, node_type: "group" });
    });
    const h = await RatZarr.open(store, quiet);
    assert.equal(await h.getColumnNames(), ["a"]);
    await (await h.getRatAttributeMapping()).set("t", cm === null ? 1 : 2);
    await h.close();
    assert.not.match(await text(store, "RAT/zarr.json"), /consolidated_metadata/);
  }
  await putJson(store, "g/zarr.json", { zarr_format: 3, node_type: "group" });
  assert.equal(parseGroupMetadata(await text(store, "g/zarr.json"), "g/zarr.json").attributes, {});
  await editJson(store, "RAT/a/zarr.json", (doc) => {
    doc["chunk_key_encoding"] = { name: "default" };
    doc["dimension_names"] = ["rows"];
  });
  let m = parseArrayMetadata(await text(store, "RAT/a/zarr.json"), "f");
  assert.equal(m.chunkKeyEncoding, { name: "default", separator: "/" });
  assert.equal(m.dimensionNames, ["rows"]);
  await editJson(store, "RAT/a/zarr.json", (doc) => void (doc["chunk_key_encoding"] = { name: "v2" }));
  m = parseArrayMetadata(await text(store, "RAT/a/zarr.json"), "f");
  assert.equal(m.chunkKeyEncoding, { name: "v2", separator: "." });
});

t("F-3.8: a zarr.json missing a required key, with a bad shape, chunk shape, fill value or codecs is refused naming the file and key", async () => {
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  await rz.createColumn("a", "int32");
  await rz.close();
  const good = JSON.parse(await text(store, "RAT/a/zarr.json")) as Record<string, unknown>;
  const cases: [string, (d: Record<string, unknown>) => void][] = [
    ["shape", (d) => void delete d["shape"]],
    ["fill_value", (d) => void delete d["fill_value"]],
    ["shape", (d) => void (d["shape"] = [-1])],
    ["chunk_grid.configuration.chunk_shape", (d) => void (d["chunk_grid"] = { name: "regular", configuration: { chunk_shape: [0] } })],
    ["chunk_grid", (d) => void (d["chunk_grid"] = { name: "regular", configuration: { chunk_shape: [4, 1] } })],
    ["fill_value", (d) => void (d["fill_value"] = "x")],
    ["fill_value", (d) => void (d["fill_value"] = 2 ** 40)],
    ["codecs", (d) => void (d["codecs"] = [])],
    ["attributes", (d) => void (d["attributes"] = [])],
  ];
  for (const [key, change] of cases) {
    const doc = structuredClone(good);
    change(doc);
    try {
      parseArrayMetadata(JSON.stringify(doc), "RAT/a/zarr.json");
      assert.unreachable(key);
    } catch (e) {
      assert.instance(e, MetadataError);
      assert.is((e as MetadataError).file, "RAT/a/zarr.json");
      assert.is((e as MetadataError).key, key);
    }
  }
  try {
    parseGroupMetadata('{"zarr_format": 3, "node_type": "group", "attributes": 1}', "RAT/zarr.json");
    assert.unreachable();
  } catch (e) {
    assert.is((e as MetadataError).key, "attributes");
  }
});

for (const z of zarrPythons()) t(`F-1.2 F-3.5: a RAT written here opens in zarr-python with the same shapes, types and values [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "ts.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setChunkSize(3);
  await rz.setRowCount(7);
  await rz.createColumn("f", "float64");
  await rz.createColumn("s", "string");
  await rz.writeBlock("f", Float64Array.from([0.5, NaN, -0, 1e300, 2, 3, 4]), 0);
  await rz.writeBlock("s", ["a", "", "héllo", "😀", "x", "y", "z"], 0);
  await rz.close();
  const seen = python(`
g = zarr.open_group(store=LocalStore(inp, read_only=True), path="RAT", mode="r")
out({n: {"dtype": str(g[n].dtype), "shape": list(g[n].shape), "values": [str(v) for v in g[n][...]]} for n in ["f", "s"]})
`, path) as Record<string, { dtype: string; shape: number[]; values: string[] }>;
  assert.equal(seen["f"], { dtype: "float64", shape: [7], values: ["0.5", "nan", "-0.0", "1e+300", "2.0", "3.0", "4.0"] });
  assert.equal(seen["s"]!.values, ["a", "", "héllo", "😀", "x", "y", "z"]);
  assert.is(seen["s"]!.shape[0], 7);
});

t.run();
