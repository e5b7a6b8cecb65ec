/**
 * Mixed pipelines on one RAT, as users run them: Python ratzarr and this
 * library take turns on the same folder, and each side reads everything the
 * other wrote.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { RatZarr } from "../../src/node/index.js";
import { pythonSession, zarrPythons } from "../harness/python.js";
import { fromJsonValues } from "../harness/values.js";
import { assertSameValues } from "../../test/helpers/values.js";

for (const z of zarrPythons()) {
  const t = suite(`conformance: mixed pipelines [zarr-python ${z.version}]`);
  const session = pythonSession(t, "mixed", z);
  const quiet = { onWarning: () => undefined, provenance: { user: "ts", argv: ["ts"] } };
  const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

  t(`Python creates and writes two columns; ratzarr adds two and resizes; Python writes another and changes attributes; ratzarr reads everything [zarr-python ${z.version}]`, async () => {
    const path = join(session.work, "py-first.zarr");
    const p1 = await session.py.open(path, { user: "py", argv: ["py"] });
    await p1.call("setChunkSize", 4);
    await p1.call("setRowCount", 10);
    await p1.call("createColumn", "pyInt", "int32", 1);
    await p1.call("writeBlock", "pyInt", range(10, (i) => i * 3), 0);
    await p1.call("createColumn", "pyStr", "string", 1);
    await p1.call("writeBlock", "pyStr", range(10, (i) => i).map((i) => (i % 2 ? `é${i}` : "")), 0);
    await p1.close();

    const rz = await RatZarr.open(path, quiet);
    assert.is(rz.getRowCount(), 10);
    await rz.createColumn("tsFloat", "float64");
    await rz.writeBlock("tsFloat", Float64Array.from(range(10, (i) => i / 4)), 0);
    await rz.createColumn("tsWide", "uint16", { width: 2 });
    await rz.writeBlock("tsWide", Uint16Array.from(range(20, (i) => i)), 0);
    await rz.setRowCount(14);
    await rz.close();

    const p2 = await session.py.open(path, { user: "py2", argv: ["py2"] });
    assert.is(await p2.call("getRowCount"), 14);
    await p2.call("createColumn", "pyBool", "bool", 1);
    await p2.call("writeBlock", "pyBool", range(14, (i) => i % 3).map((v) => v === 0), 0);
    await p2.call("writeBlock", "tsFloat", [100.5, 101.5], 12);
    await p2.call("setRatAttribute", "stage", "python-2");
    await p2.call("setColumnAttribute", "tsWide", "units", "counts");
    await p2.close();

    const r = await RatZarr.open(path, { readOnly: true });
    assert.is(r.getRowCount(), 14);
    assert.equal(await r.getColumnNames(), ["pyBool", "pyInt", "pyStr", "tsFloat", "tsWide"]);
    assertSameValues(await r.readBlock("pyInt", 0, 14), Int32Array.from([...range(10, (i) => i * 3), 0, 0, 0, 0]));
    assert.equal(await r.readBlock("pyStr", 0, 14), [...range(10, (i) => i).map((i) => (i % 2 ? `é${i}` : "")), "", "", "", ""]);
    assertSameValues(await r.readBlock("tsFloat", 0, 14), Float64Array.from([...range(10, (i) => i / 4), 0, 0, 100.5, 101.5]));
    assertSameValues(await r.readBlock("tsWide", 0, 14), Uint16Array.from([...range(20, (i) => i), ...new Array(8).fill(0)]));
    assertSameValues(await r.readBlock("pyBool", 0, 14), Uint8Array.from(range(14, (i) => (i % 3 === 0 ? 1 : 0))));
    assert.is((await r.getRatAttributeMapping()).get("stage"), "python-2");
    assert.is((await r.getColumnAttributeMapping("tsWide")).get("units"), "counts");
    assert.equal((await r.getModificationLog("tsFloat")).map((e) => e[1]), ["ts", "py2"]);
    assert.equal((await r.getModificationLog("pyInt")).map((e) => e[1]), ["py"]);
  });

  t(`the mirror image: ratzarr first, Python adds and resizes, ratzarr writes and changes attributes, Python reads everything [zarr-python ${z.version}]`, async () => {
    const path = join(session.work, "ts-first.zarr");
    const rz = await RatZarr.open(path, quiet);
    await rz.setChunkSize(4);
    await rz.setRowCount(10);
    await rz.createColumn("tsInt64", "int64");
    await rz.writeBlock("tsInt64", BigInt64Array.from(range(10, (i) => i), (v) => BigInt(v) * 10n ** 17n), 0);
    await rz.createColumn("tsStr", "string");
    await rz.writeBlock("tsStr", range(10, (i) => i).map((i) => `🌍${i}`), 0);
    await rz.close();

    const p = await session.py.open(path, { user: "py", argv: ["py"] });
    await p.call("createColumn", "pyF32", "float32", 1);
    await p.call("writeBlock", "pyF32", range(10, (i) => i - 0.5), 0);
    await p.call("createColumn", "pyWide", "int8", 3);
    await p.call("writeBlock", "pyWide", range(30, (i) => i - 15), 0);
    await p.call("setRowCount", 7);
    await p.close();

    const r2 = await RatZarr.open(path, quiet);
    assert.is(r2.getRowCount(), 7);
    await r2.createColumn("tsU64", "uint64");
    await r2.writeBlock("tsU64", BigUint64Array.from(range(7, (i) => i), (v) => 2n ** 64n - 1n - BigInt(v)), 0);
    await r2.writeBlock("pyF32", Float32Array.from([NaN, -0]), 5);
    await (await r2.getRatAttributeMapping()).set("stage", "ts-2");
    await (await r2.getColumnAttributeMapping("pyWide")).set("bands", ["r", "g", "b"]);
    await r2.close();

    const d = await session.py.dump(path);
    assert.is(d.attributes["ROWCOUNT"], 7);
    assert.is(d.attributes["stage"], "ts-2");
    assert.equal(Object.keys(d.columns).sort(), ["pyF32", "pyWide", "tsInt64", "tsStr", "tsU64"]);
    assertSameValues(fromJsonValues("int64", d.columns["tsInt64"]!.values), BigInt64Array.from(range(7, (i) => i), (v) => BigInt(v) * 10n ** 17n));
    assert.equal(d.columns["tsStr"]!.values, range(7, (i) => i).map((i) => `🌍${i}`));
    assertSameValues(fromJsonValues("float32", d.columns["pyF32"]!.values), Float32Array.from([...range(5, (i) => i - 0.5), NaN, -0]));
    assert.equal(d.columns["pyWide"]!.shape, [7, 3]);
    assertSameValues(fromJsonValues("int8", d.columns["pyWide"]!.values), Int8Array.from(range(21, (i) => i - 15)));
    assert.equal(d.columns["pyWide"]!.attributes["bands"], ["r", "g", "b"]);
    assertSameValues(fromJsonValues("uint64", d.columns["tsU64"]!.values), BigUint64Array.from(range(7, (i) => i), (v) => 2n ** 64n - 1n - BigInt(v)));
    const users = (name: string) => (d.columns[name]!.attributes["MODIFICATIONLOG"] as [string, string, string[]][]).map((e) => e[1]);
    assert.equal(users("pyF32"), ["py", "ts"]);
    assert.equal(users("tsInt64"), ["ts"]);
  });

  t.run();
}
