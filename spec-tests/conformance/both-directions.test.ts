/**
 * Live, both ways: RATs written by ratzarr read by zarr-python 3.1.x (every
 * value, dtype, shape, attribute and log entry), and RATs written by
 * zarr-python the way Python ratzarr writes them read by ratzarr.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { RatZarr, type ColumnDataType } from "../../src/node/index.js";
import type { JsonValue } from "../../src/codecs/codec.js";
import { pythonSession, zarrPythons } from "../harness/python.js";
import { fromJsonValues, sampleColumn, toJsonValues } from "../harness/values.js";
import { assertSameValues } from "../../test/helpers/values.js";

for (const z of zarrPythons()) {
  const t = suite(`conformance: both directions [zarr-python ${z.version}]`);
  const session = pythonSession(t, "conf", z);
  const TYPES: ColumnDataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];
  const ROWS = 23, CHUNK = 5;

  const show = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : typeof x === "number" && !Number.isFinite(x) ? String(x) : Object.is(x, -0) ? "-0" : x));

  t(`ratzarr writes every data type and width; zarr-python reads it all [zarr-python ${z.version}]`, async () => {
    const path = join(session.work, "ts-writes.zarr");
    const rz = await RatZarr.open(path, { provenance: { user: "tsuser", argv: ["node", "job.js"] }, onWarning: () => undefined });
    await rz.setChunkSize(CHUNK);
    await rz.setRowCount(ROWS);
    const written: Record<string, ReturnType<typeof sampleColumn>> = {};
    for (const [i, dt] of TYPES.entries()) {
      for (const width of [1, 3]) {
        const name = `${dt}_w${width}`;
        await rz.createColumn(name, dt, { width });
        written[name] = sampleColumn(dt, ROWS, width, i * 10 + width);
        // Unaligned blocks on purpose: partial chunks go through read-modify-write.
        for (let s = 0; s < ROWS; s += 7) {
          const stop = Math.min(ROWS, s + 7);
          await rz.writeBlock(name, written[name]!.slice(s * width, stop * width) as never, s);
        }
      }
    }
    await (await rz.getRatAttributeMapping()).update({ title: "héllo 🌍", scale: 0.5, n: 3, list: [1, "a", null], nan: NaN });
    await (await rz.getColumnAttributeMapping("float64_w1")).set("units", "m²");
    await rz.close();

    const d = await session.py.dump(path);
    assert.equal(show(d.attributes), show({ ROWCOUNT: ROWS, CHUNKSIZE: CHUNK, title: "héllo 🌍", scale: 0.5, n: 3, list: [1, "a", null], nan: NaN }));
    assert.equal(Object.keys(d.columns).sort(), Object.keys(written).sort());
    for (const [name, data] of Object.entries(written)) {
      const col = d.columns[name]!;
      const [dt, w] = [name.replace(/_w\d$/, "") as ColumnDataType, Number(name.slice(-1))];
      assert.is(col.dtype, dt, name);
      assert.equal(col.shape, w === 1 ? [ROWS] : [ROWS, w], name);
      assert.equal(col.chunks, w === 1 ? [CHUNK] : [CHUNK, w], name);
      assertSameValues(fromJsonValues(dt, col.values), data, name);
      const log = col.attributes["MODIFICATIONLOG"] as JsonValue[][];
      assert.is(log.length, 1, name);
      assert.equal(log[0]!.slice(1), ["tsuser", ["node", "job.js"]]);
    }
    assert.equal(d.columns["float64_w1"]!.attributes["units"], "m²");
  });

  t(`zarr-python writes the way Python ratzarr does; ratzarr reads it all [zarr-python ${z.version}]`, async () => {
    const path = join(session.work, "py-writes.zarr");
    const p = await session.py.open(path, { user: "pyuser", argv: ["prog.py", "--x"] });
    await p.call("setChunkSize", CHUNK);
    await p.call("setRowCount", ROWS);
    const written: Record<string, { dt: ColumnDataType; width: number; values: JsonValue[] }> = {};
    for (const [i, dt] of TYPES.entries()) {
      for (const width of [1, 2]) {
        const name = `${dt}_w${width}`;
        const values = toJsonValues(dt, sampleColumn(dt, ROWS, width, 100 + i * 10 + width));
        written[name] = { dt, width, values };
        await p.call("createColumn", name, dt, width);
        await p.call("writeBlock", name, values.slice(0, 10 * width), 0);
        await p.call("writeBlock", name, values.slice(10 * width), 10);
      }
    }
    await p.call("setRatAttribute", "source", "python");
    await p.call("setColumnAttribute", "int32_w1", "nested", { a: [1, 2.5, { b: "ü" }] });
    await p.close();

    const rz = await RatZarr.open(path, { readOnly: true });
    assert.is(rz.getRowCount(), ROWS);
    assert.is(rz.getRATChunkSize(), CHUNK);
    assert.equal(await rz.getColumnNames(), Object.keys(written).sort());
    assert.is((await rz.getRatAttributeMapping()).get("source"), "python");
    assert.equal((await rz.getColumnAttributeMapping("int32_w1")).get("nested"), { a: [1, 2.5, { b: "ü" }] });
    for (const [name, { dt, width, values }] of Object.entries(written)) {
      assert.is(await rz.getColumnDtype(name), dt);
      assert.is(await rz.getColumnWidth(name), width);
      assert.is(await rz.getColumnChunkSize(name), CHUNK);
      assertSameValues(await rz.readBlock(name, 0, ROWS), fromJsonValues(dt, values), name);
      const log = await rz.getModificationLog(name);
      assert.is(log.length, 1);
      assert.equal(log[0]!.slice(1), ["pyuser", ["prog.py", "--x"]]);
      assert.match(log[0]![0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    }
    await rz.close();
  });

  t.run();
}
