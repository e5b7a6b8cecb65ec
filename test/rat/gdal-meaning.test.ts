/**
 * GDAL meaning as attributes (src/rat/gdal-meaning.ts): usages, table type,
 * linear binning, getRowOfValue (zarr-python's view of them: spec-tests/format/gdal.test.ts).
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarr, RatZarrError, NodeError, ZarrArray } from "../../src/node/index.js";
import { GDAL_ATTRIBUTES, GDAL_USAGES, getColumnUsage, getRowOfValue } from "../../src/rat/gdal-meaning.js";
import { removeLocalPaths, testBackends } from "../helpers/backends.js";
import { rejects, cleanup } from "./helpers.js";


for (const backend of await testBackends()) {
  const t = suite(`RatZarr: GDAL meaning [${backend.name}]`);
  const o = backend.options;

  t("F-8.1: usages: set, read back through another handle, stored as GDAL_USAGE; Generic when absent", async () => {
    const path = await backend.newPath("usage");
    const rz = await RatZarr.open(path, o);
    await rz.setRowCount(3);
    for (const n of ["a", "b", "c"]) await rz.createColumn(n, "int32");
    assert.is(await rz.getColumnUsage("a"), "Generic");
    await rz.setColumnUsage("a", "PixelCount");
    await rz.setColumnUsage("b", "MinMax");
    const other = await RatZarr.open(path, { ...o, readOnly: true });
    assert.is(await other.getColumnUsage("a"), "PixelCount");
    assert.is(await other.getColumnUsage("b"), "MinMax");
    assert.is(await other.getColumnUsage("c"), "Generic");
    assert.equal((await rz.getColumnAttributeMapping("b")).toJSON(), { MODIFICATIONLOG: [], GDAL_USAGE: "MinMax" });
    // Changed by one handle, seen by another that had already read it.
    await rz.setColumnUsage("a", "Name");
    assert.is(await other.getColumnUsage("a"), "Name");
    for (const u of GDAL_USAGES) {
      await rz.setColumnUsage("c", u);
      assert.is(await getColumnUsage(other, "c"), u);
    }
    await rz.close();
    await other.close();
  });

  t("F-8.1: getColumnOfUsage: the first column by name, undefined when none", async () => {
    const rz = await RatZarr.open(await backend.newPath("ofusage"), o);
    await rz.setRowCount(1);
    for (const n of ["zeta", "alpha", "mid"]) await rz.createColumn(n, "float64");
    assert.is(await rz.getColumnOfUsage("Red"), undefined);
    await rz.setColumnUsage("zeta", "Red");
    assert.is(await rz.getColumnOfUsage("Red"), "zeta");
    await rz.setColumnUsage("mid", "Red");
    assert.is(await rz.getColumnOfUsage("Red"), "mid");
    assert.is(await rz.getColumnOfUsage("Generic"), "alpha");
    await rz.close();
  });

  t("F-8.1 F-8.2 F-8.3: bad values: errors name the column and the value; nothing is stored", async () => {
    const rz = await RatZarr.open(await backend.newPath("bad"), o);
    await rz.setRowCount(1);
    await rz.createColumn("col", "int8");
    await rejects(() => rz.setColumnUsage("col", "Redd" as never), RatZarrError, /column "col"/, /"Redd" is not a GDAL usage/, /Generic, PixelCount/);
    await rejects(() => rz.setColumnUsage("col", 6 as never), RatZarrError, /column "col": 6 is not a GDAL usage/);
    await rejects(() => rz.setColumnUsage("nope", "Name"), NodeError, /column "nope" does not exist/);
    await rejects(() => rz.getColumnOfUsage("GFU_Red" as never), RatZarrError, /"GFU_Red" is not a GDAL usage/);
    assert.not.ok((await rz.getColumnAttributeMapping("col")).has(GDAL_ATTRIBUTES.usage));
    await rejects(() => rz.setTableType("Thematic" as never), RatZarrError, /"Thematic" is not a GDAL table type/);
    for (const [r0, bs, re] of [[NaN, 1, /Row0Min must be a finite number, got NaN/], [0, 0, /BinSize must be a finite number above 0, got 0/], [0, -1, /got -1/], [0, Infinity, /got Infinity/]] as const) {
      await rejects(() => rz.setLinearBinning(r0, bs), RatZarrError, re);
    }
    assert.equal((await rz.getRatAttributeMapping()).keys(), ["ROWCOUNT", "CHUNKSIZE"]);
    // A bad value stored by someone else: read as an error naming it.
    await (await rz.getColumnAttributeMapping("col")).set("GDAL_USAGE", "Purple");
    await rejects(() => rz.getColumnUsage("col"), RatZarrError, /column "col": attribute GDAL_USAGE is "Purple", not a GDAL usage/);
    await (await rz.getRatAttributeMapping()).update({ GDAL_TABLE_TYPE: 1, GDAL_LINEAR_BINNING: { Row0Min: "0", BinSize: 1 } });
    await rejects(() => rz.getTableType(), RatZarrError, /attribute GDAL_TABLE_TYPE is 1, not "thematic" or "athematic"/);
    await rejects(() => rz.getLinearBinning(), RatZarrError, /GDAL_LINEAR_BINNING: Row0Min must be a finite number, got "0"/);
    // GDAL's enum number, another case, and binning values out of range, stored by someone else: errors too.
    for (const bad of [6, "red", "MINMAX", null]) {
      await (await rz.getColumnAttributeMapping("col")).set("GDAL_USAGE", bad);
      try {
        await rz.getColumnUsage("col");
        assert.unreachable(`GDAL_USAGE ${JSON.stringify(bad)} was read`);
      } catch (e) {
        assert.instance(e, RatZarrError);
        assert.is((e as RatZarrError).code, "metadata");
      }
    }
    await (await rz.getRatAttributeMapping()).set("GDAL_TABLE_TYPE", "Athematic");
    await rejects(() => rz.getTableType(), RatZarrError, /GDAL_TABLE_TYPE is "Athematic"/);
    for (const [bin, re] of [[{ Row0Min: NaN, BinSize: 1 }, /Row0Min must be a finite number, got NaN/], [{ Row0Min: 0, BinSize: 0 }, /BinSize must be a finite number above 0, got 0/], [{ Row0Min: 0 }, /BinSize must be a finite number above 0, got undefined/], [[0, 1], /GDAL_LINEAR_BINNING is .*, not \{"Row0Min"/]] as const) {
      await (await rz.getRatAttributeMapping()).set("GDAL_LINEAR_BINNING", bin as never);
      await rejects(() => rz.getLinearBinning(), RatZarrError, re);
    }
    await rz.close();
  });

  t("F-8.2 F-8.3: table type and linear binning: defaults, set, read back, stored form", async () => {
    const path = await backend.newPath("binning");
    const rz = await RatZarr.open(path, o);
    assert.is(await rz.getTableType(), "thematic");
    assert.is(await rz.getLinearBinning(), undefined);
    await rz.setTableType("athematic");
    await rz.setLinearBinning(-0.5, 0.25);
    const again = await RatZarr.open(path, { ...o, readOnly: true });
    assert.is(await again.getTableType(), "athematic");
    assert.equal(await again.getLinearBinning(), { row0Min: -0.5, binSize: 0.25 });
    assert.equal((await again.getRatAttributeMapping()).toJSON(), { ROWCOUNT: 0, CHUNKSIZE: 500000, GDAL_TABLE_TYPE: "athematic", GDAL_LINEAR_BINNING: { Row0Min: -0.5, BinSize: 0.25 } });
    await rz.setTableType("thematic");
    assert.is(await again.getTableType(), "thematic");
    await rz.close();
    await again.close();
  });

  t("F-8.5: getRowOfValue with linear binning: O(1), no column read; -1 outside the rows and for NaN", async () => {
    const rz = await RatZarr.open(await backend.newPath("rowbin"), o);
    await rz.setRowCount(10);
    await rz.setLinearBinning(100, 2.5);
    const cases: [number, number][] = [[100, 0], [102.49, 0], [102.5, 1], [124.99, 9], [125, -1], [99.99, -1], [-1e300, -1], [1e300, -1], [Infinity, -1], [NaN, -1]];
    for (const [v, row] of cases) assert.is(await rz.getRowOfValue(v), row, `value ${v}`);
    // No column exists: the answer cannot have come from reading one.
    assert.equal(await rz.getColumnNames(), []);
    await rz.close();
  });

  t("F-8.5: getRowOfValue through Min/Max columns, across blocks; MinMax; only Min; none", async () => {
    const rz = await RatZarr.open(await backend.newPath("rowminmax"), o);
    const n = 1000;
    await rz.setChunkSize(64);
    await rz.setRowCount(n);
    await rz.createColumn("lo", "float64");
    await rz.createColumn("hi", "int64");
    // Row i covers [10 i, 10 i + 5]: gaps between rows.
    await rz.writeBlock("lo", Float64Array.from({ length: n }, (_, i) => 10 * i), 0);
    await rz.writeBlock("hi", BigInt64Array.from({ length: n }, (_, i) => BigInt(10 * i + 5)), 0);
    assert.is(await rz.getRowOfValue(42), -1, "no usages yet");
    await rz.setColumnUsage("lo", "Min");
    await rz.setColumnUsage("hi", "Max");
    const cases: [number, number][] = [[0, 0], [5, 0], [5.5, -1], [10, 1], [9995, 999], [9996, -1], [-1, -1], [6405, 640], [NaN, -1]];
    for (const [v, row] of cases) {
      assert.is(await rz.getRowOfValue(v), row, `value ${v}`);
      assert.is(await getRowOfValue(rz, v, { blockLen: 7 }), row, `value ${v}, blocks of 7`);
    }
    // Only a Min column: the first row whose min is at most the value.
    await rz.setColumnUsage("hi", "Generic");
    assert.is(await rz.getRowOfValue(5.5), 0);
    // MinMax: exact match of a class value.
    await rz.createColumn("cls", "uint16");
    await rz.writeBlock("cls", Uint16Array.from({ length: n }, (_, i) => (i * 7) % 1000), 0);
    await rz.setColumnUsage("lo", "Generic");
    await rz.setColumnUsage("cls", "MinMax");
    assert.is(await rz.getRowOfValue(7 * 600 - 1000 * 4), 600);
    assert.is(await rz.getRowOfValue(3.5), -1);
    // Binning wins over columns, as in GDAL.
    await rz.setLinearBinning(0, 1);
    assert.is(await rz.getRowOfValue(200), 200);
    await rz.close();
  });

  t("F-8.5: getRowOfValue: a Min column that cannot be compared is an error naming it", async () => {
    const rz = await RatZarr.open(await backend.newPath("rowbad"), o);
    await rz.setRowCount(2);
    await rz.createColumn("name", "string");
    await rz.setColumnUsage("name", "Min");
    await rejects(() => rz.getRowOfValue(1), RatZarrError, /column "name" \(usage Min\): a Min\/Max column must be numeric with width 1, it is string/);
    await rz.createColumn("w", "int32", { width: 2 });
    await rz.setColumnUsage("name", "Generic");
    await rz.setColumnUsage("w", "MinMax");
    await rejects(() => rz.getRowOfValue(1), RatZarrError, /column "w" \(usage MinMax\).* it is int32 of width 2/);
    await rejects(() => rz.getRowOfValue("1" as never), RatZarrError, /getRowOfValue needs a number, got "1"/);
    await rz.close();
  });

  t("read-only handles refuse every setter", async () => {
    const path = await backend.newPath("ro");
    const w = await RatZarr.open(path, o);
    await w.setRowCount(1);
    await w.createColumn("a", "int8");
    const rz = await RatZarr.open(path, { ...o, readOnly: true });
    await rejects(() => rz.setColumnUsage("a", "Name"), RatZarrError, /read-only/);
    await rejects(() => rz.setTableType("athematic"), RatZarrError, /read-only/);
    await rejects(() => rz.setLinearBinning(0, 1), RatZarrError, /read-only/);
    await w.close();
    await rz.close();
  });

  t.after(removeLocalPaths);
  t.run();
}

// zarr-python (3.1.6 and 3.4.2) opening such a RAT and keeping the attributes: spec-tests/format/gdal.test.ts.
