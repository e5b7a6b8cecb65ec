/**
 * docs/FORMAT.md section 8: the GDAL meaning attributes as stored (their
 * bytes, the objects a change writes) and as zarr-python (3.1.6 and 3.4.x)
 * sees, keeps and writes them.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { FileSystemStore, RatZarr } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { JsonObject } from "../../src/codecs/codec.js";
import { parseJson } from "../../src/format/json.js";
import { clearLinearBinning } from "../../src/rat/gdal-meaning.js";
import { cleanup, quiet, recording, tempDir, text } from "./helpers.js";
import { pythonOf, zarrPythons } from "./python.js";

const t = suite("format: GDAL meaning attributes");
t.after.each(cleanup);

t("F-8.1 F-8.2 F-8.3 F-8.4: stored as plain attributes: GDAL_USAGE after MODIFICATIONLOG, GDAL_TABLE_TYPE and GDAL_LINEAR_BINNING after ROWCOUNT and CHUNKSIZE; each change rewrites only its zarr.json", async () => {
  const inner = new MemoryStore();
  const { store, writes } = recording(inner);
  const rz = await RatZarr.open(store, quiet);
  await rz.setRowCount(2);
  await rz.createColumn("Class", "string");
  await rz.createColumn("Value", "int32");
  await (await rz.getRatAttributeMapping()).set("mine", "kept");
  writes.length = 0;
  await rz.setColumnUsage("Class", "Name");
  assert.equal(writes.map((w) => w.key), ["RAT/Class/zarr.json"]);
  writes.length = 0;
  await rz.setTableType("athematic");
  await rz.setLinearBinning(-0.5, 1);
  assert.equal(writes.map((w) => w.key), ["RAT/zarr.json", "RAT/zarr.json"]);
  assert.ok(writes.every((w) => w.op === "setIfVersion"));
  assert.match(await text(inner, "RAT/Class/zarr.json"), /"attributes": \{\n {4}"MODIFICATIONLOG": \[\],\n {4}"GDAL_USAGE": "Name"\n {2}\},/);
  assert.is(
    await text(inner, "RAT/zarr.json"),
    '{\n  "attributes": {\n    "ROWCOUNT": 2,\n    "CHUNKSIZE": 500000,\n    "mine": "kept",\n    "GDAL_TABLE_TYPE": "athematic",\n    "GDAL_LINEAR_BINNING": {\n      "Row0Min": -0.5,\n      "BinSize": 1\n    }\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}',
  );
  // Value has no usage stored and is Generic; thematic is what a RAT without the attribute is.
  assert.not.match(await text(inner, "RAT/Value/zarr.json"), /GDAL/);
  assert.is(await rz.getColumnUsage("Value"), "Generic");
  // Removing the binning removes the attribute, nothing else.
  assert.is(await clearLinearBinning(rz), true);
  assert.equal((await rz.getRatAttributeMapping()).toJSON(), { ROWCOUNT: 2, CHUNKSIZE: 500000, mine: "kept", GDAL_TABLE_TYPE: "athematic" });
  assert.is(await rz.getLinearBinning(), undefined);
  await rz.close();
});

for (const z of zarrPythons()) t(`F-8.4 F-8.1 F-8.2 F-8.3: zarr-python reads the meaning as attributes and keeps it when it rewrites attributes and resizes; the meaning zarr-python writes is read here [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setRowCount(4);
  await rz.createColumn("Value", "int32");
  await rz.writeBlock("Value", Int32Array.from([1, 2, 3, 4]), 0);
  await rz.createColumn("Name", "string");
  await rz.writeBlock("Name", ["w", "x", "y", "z"], 0);
  await rz.setColumnUsage("Value", "MinMax");
  await rz.setColumnUsage("Name", "Name");
  await rz.setTableType("athematic");
  await rz.setLinearBinning(0.5, 1);
  await rz.close();
  // What Python ratzarr does to a RAT: open the RAT group, read, change attributes, resize every column and store ROWCOUNT.
  const seen = python(`
root = zarr.open_group(store=LocalStore(inp), mode="a")
g = root["RAT"]
res = {"rat": dict(g.attrs), "columns": {}}
for name in sorted(g.array_keys()):
    a = g[name]
    res["columns"][name] = {"attrs": {k: v for k, v in a.attrs.items() if k != "MODIFICATIONLOG"}, "values": [v if isinstance(v, str) else int(v) for v in a[:].tolist()]}
g.attrs["FROM_PYTHON"] = 1
g["Value"].attrs["units"] = "class"
for name in g.array_keys():
    g[name].resize((6,))
g.attrs["ROWCOUNT"] = 6
b = g.create_array("Count", shape=(6,), chunks=(500000,), dtype="float64", attributes={"MODIFICATIONLOG": [], "GDAL_USAGE": "PixelCount"})
b[...] = np.array([10, 20, 30, 40, 50, 60.0])
out(res)
`, path) as JsonObject;
  assert.equal(seen, {
    rat: { ROWCOUNT: 4, CHUNKSIZE: 500000, GDAL_TABLE_TYPE: "athematic", GDAL_LINEAR_BINNING: { Row0Min: 0.5, BinSize: 1 } },
    columns: { Name: { attrs: { GDAL_USAGE: "Name" }, values: ["w", "x", "y", "z"] }, Value: { attrs: { GDAL_USAGE: "MinMax" }, values: [1, 2, 3, 4] } },
  });
  // The files zarr-python rewrote still hold the meaning, beside its own keys.
  const store = new FileSystemStore(path);
  const ratAttrs = (parseJson(await text(store, "RAT/zarr.json"), "RAT") as JsonObject)["attributes"];
  assert.equal(ratAttrs, { ROWCOUNT: 6, CHUNKSIZE: 500000, GDAL_TABLE_TYPE: "athematic", GDAL_LINEAR_BINNING: { Row0Min: 0.5, BinSize: 1 }, FROM_PYTHON: 1 });
  const again = await RatZarr.open(path, { ...quiet, readOnly: true });
  assert.is(again.getRowCount(), 6);
  assert.is(await again.getColumnUsage("Value"), "MinMax");
  assert.is(await again.getColumnUsage("Name"), "Name");
  assert.is(await again.getColumnUsage("Count"), "PixelCount");
  assert.is(await again.getColumnOfUsage("PixelCount"), "Count");
  assert.is(await again.getTableType(), "athematic");
  assert.equal(await again.getLinearBinning(), { row0Min: 0.5, binSize: 1 });
  assert.is((await again.getColumnAttributeMapping("Value")).get("units"), "class");
  assert.is(await again.getRowOfValue(3.7), 3);
  await again.close();
  // And back again: a change here keeps what zarr-python added.
  const w = await RatZarr.open(path, quiet);
  await w.setColumnUsage("Value", "Generic");
  await w.setTableType("thematic");
  await w.close();
  const last = python(`
g = zarr.open_group(store=LocalStore(inp, read_only=True), path="RAT", mode="r")
out([dict(g.attrs), dict(g["Value"].attrs).get("GDAL_USAGE"), dict(g["Value"].attrs).get("units")])
`, path);
  assert.equal(last, [{ ROWCOUNT: 6, CHUNKSIZE: 500000, GDAL_TABLE_TYPE: "thematic", GDAL_LINEAR_BINNING: { Row0Min: 0.5, BinSize: 1 }, FROM_PYTHON: 1 }, "Generic", "class"]);
});

t.run();
