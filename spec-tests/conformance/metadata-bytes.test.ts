/**
 * After the same operations, every zarr.json this library writes equals the
 * one zarr-python writes (driven the way Python ratzarr drives it), byte for
 * byte, apart from the times in modification logs.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { RatZarr, type ColumnDataType } from "../../src/node/index.js";
import type { JsonValue } from "../../src/codecs/codec.js";
import { pythonSession, zarrPythons } from "../harness/python.js";
import { fromJsonValues, sampleColumn, toJsonValues } from "../harness/values.js";

for (const z of zarrPythons()) {
  const t = suite(`conformance: zarr.json bytes [zarr-python ${z.version}]`);
  const session = pythonSession(t, "bytes", z);

  type Op = [string, ...JsonValue[]];
  const TYPES: ColumnDataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];

  function ops(): Op[] {
    const out: Op[] = [["setChunkSize", 6], ["setRowCount", 20]];
    for (const [i, dt] of TYPES.entries()) {
      const width = i % 3 === 0 ? 2 : 1;
      out.push(["createColumn", `c_${dt}`, dt, width]);
      out.push(["writeBlock", `c_${dt}`, toJsonValues(dt, sampleColumn(dt, 20, width, i + 1)), 0]);
    }
    out.push(["setRatAttribute", "title", "RAT ü 🌍"], ["setRatAttribute", "params", { k: [1, 2.5, null, true], s: "x" }]);
    out.push(["setColumnAttribute", "c_float64", "units", "m"], ["setColumnAttribute", "c_int32", "nan", NaN]);
    out.push(["setRowCount", 9], ["deleteColumn", "c_int8"], ["setChunkSize", 4], ["createColumn", "late", "float32", 1], ["setRowCount", 25]);
    out.push(["writeBlock", "late", toJsonValues("float32", sampleColumn("float32", 25, 1, 99)), 0]);
    return out;
  }

  function files(root: string): string[] {
    return readdirSync(root).flatMap((n) => {
      const p = join(root, n);
      return statSync(p).isDirectory() ? files(p) : [relative(root, p)];
    });
  }

  t(`F-1.2 F-3.1 F-3.5: the same operations give the same zarr.json files [zarr-python ${z.version}]`, async () => {
    const pyPath = join(session.work, "py.zarr");
    const tsPath = join(session.work, "ts.zarr");
    const p = await session.py.open(pyPath, { user: "someone", argv: ["prog", "--flag"] });
    for (const [method, ...args] of ops()) await p.call(method, ...args);
    await p.close();

    const rz = await RatZarr.open(tsPath, { provenance: { user: "someone", argv: ["prog", "--flag"] }, onWarning: () => undefined });
    for (const [method, ...args] of ops()) {
      switch (method) {
        case "setChunkSize": await rz.setChunkSize(args[0] as number); break;
        case "setRowCount": await rz.setRowCount(args[0] as number); break;
        case "createColumn": await rz.createColumn(args[0] as string, args[1] as ColumnDataType, { width: args[2] as number }); break;
        case "deleteColumn": await rz.deleteColumn(args[0] as string); break;
        case "writeBlock": {
          const dt = await rz.getColumnDtype(args[0] as string);
          await rz.writeBlock(args[0] as string, fromJsonValues(dt, args[1] as JsonValue[]), args[2] as number);
          break;
        }
        case "setRatAttribute": await (await rz.getRatAttributeMapping()).set(args[0] as string, args[1]!); break;
        case "setColumnAttribute": await (await rz.getColumnAttributeMapping(args[0] as string)).set(args[1] as string, args[2]!); break;
      }
    }
    await rz.close();

    const pyMeta = files(pyPath).filter((f) => f.endsWith("zarr.json")).sort();
    const tsMeta = files(tsPath).filter((f) => f.endsWith("zarr.json")).sort();
    assert.equal(tsMeta, pyMeta);
    assert.ok(pyMeta.length >= 13, `${pyMeta.length} zarr.json files`);
    const time = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"/g;
    for (const f of pyMeta) {
      const want = readFileSync(join(pyPath, f), "utf8").replace(time, '"T"');
      const got = readFileSync(join(tsPath, f), "utf8").replace(time, '"T"');
      assert.fixture(got, want, f);
    }
    // The same chunks exist on both sides (all-fill chunks absent on both).
    assert.equal(files(tsPath).filter((f) => !f.endsWith("zarr.json")).sort(), files(pyPath).filter((f) => !f.endsWith("zarr.json")).sort());
  });

  t.run();
}
