/**
 * A RAT written by zarr-python exactly the way Python ratzarr 1.0.2 writes
 * it (fixtures/arrays/ratzarr_py, made by make_ratzarr_fixture.py) reads
 * back exactly through RatZarr; and the same operations replayed through
 * RatZarr write every zarr.json byte for byte as Python did, apart from the
 * time in the modification log.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { assertSameValues } from "../test/helpers/values.js";
import { fromJsonValues } from "./harness/values.js";
import type { JsonValue } from "../src/codecs/codec.js";
import { RatZarr, MemoryStore, type ColumnDataType, type ArrayFor, type DataType } from "../src/node/index.js";

const dir = join(import.meta.dirname, "fixtures/arrays/ratzarr_py");
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { nodes: Record<string, { node_type: string; data_type?: DataType; shape?: number[]; values?: unknown[]; attributes: Record<string, unknown> }> };
type Op = { op: string; n?: number; name?: string; dtype?: ColumnDataType; width?: number; start?: number; values?: unknown[]; key?: string; value?: unknown; modificationEvent?: [string, string, string[]] };
const ops = JSON.parse(readFileSync(join(dir, "ops.json"), "utf8")) as Op[];

/** Values in the fixtures' JSON convention ("NaN" strings, int64 as decimal strings) as the array type of `dt`. */
const toArray = (dt: DataType, values: unknown[]): ArrayFor<DataType> => fromJsonValues(dt, values as JsonValue[]);

const t = suite("Python ratzarr's RAT, both directions");

t("RatZarr reads what Python ratzarr wrote: rows, columns, types, widths, values, logs, attributes", async () => {
  const rz = await RatZarr.open(join(dir, "data.zarr"), { readOnly: true });
  const rat = expected.nodes["RAT"]!;
  assert.is(rz.getRowCount(), rat.attributes["ROWCOUNT"]);
  assert.is(rz.getRATChunkSize(), rat.attributes["CHUNKSIZE"]);
  assert.equal((await rz.getRatAttributeMapping()).toJSON(), rat.attributes);
  const columns = Object.keys(expected.nodes).filter((p) => p.startsWith("RAT/")).map((p) => p.slice(4)).sort();
  assert.equal(await rz.getColumnNames(), columns);
  for (const name of columns) {
    const exp = expected.nodes[`RAT/${name}`]!;
    assert.is(await rz.getColumnDtype(name), exp.data_type);
    assert.is(await rz.getColumnWidth(name), exp.shape![1] ?? 1);
    assert.is(await rz.getColumnChunkSize(name), 4);
    const got = await rz.readBlock(name, 0, rz.getRowCount());
    assertSameValues(got, toArray(exp.data_type!, exp.values!), name);
    assert.equal(await rz.getModificationLog(name), exp.attributes["MODIFICATIONLOG"], `${name} log`);
    assert.equal((await rz.getColumnAttributeMapping(name)).toJSON(), exp.attributes, `${name} attributes`);
  }
  await rz.close();
});

function files(root: string): string[] {
  return readdirSync(root).flatMap((n) => {
    const p = join(root, n);
    return statSync(p).isDirectory() ? files(p) : [relative(join(dir, "data.zarr"), p)];
  });
}

t("F-1.2: the same operations through RatZarr write every zarr.json byte for byte (log time aside)", async () => {
  const store = new MemoryStore();
  let rz: RatZarr | undefined;
  let event: [string, string, string[]] = ["", "", []];
  for (const op of ops) {
    switch (op.op) {
      case "open":
        event = op.modificationEvent!;
        rz = await RatZarr.open(store, { provenance: { user: event[1], argv: event[2] }, onWarning: () => undefined });
        break;
      case "setChunkSize": await rz!.setChunkSize(op.n!); break;
      case "setRowCount": await rz!.setRowCount(op.n!); break;
      case "createColumn": await rz!.createColumn(op.name!, op.dtype!, { width: op.width! }); break;
      case "writeBlock": {
        const dt = await rz!.getColumnDtype(op.name!);
        await rz!.writeBlock(op.name!, toArray(dt, op.values!), op.start!);
        break;
      }
      case "setRatAttribute": await (await rz!.getRatAttributeMapping()).set(op.key!, op.value as never); break;
      case "setColumnAttribute": await (await rz!.getColumnAttributeMapping(op.name!)).set(op.key!, op.value as never); break;
      default: throw new Error(`unknown op ${op.op}`);
    }
  }
  const metadataFiles = files(join(dir, "data.zarr")).filter((f) => f.endsWith("zarr.json")).sort();
  const ours = [...store.data.keys()].filter((k) => k.endsWith("zarr.json")).sort();
  assert.equal(ours, metadataFiles);
  const timeOf = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"/g;
  for (const f of metadataFiles) {
    const want = readFileSync(join(dir, "data.zarr", f), "utf8");
    const got = new TextDecoder().decode(store.data.get(f)!).replace(timeOf, JSON.stringify(event[0]));
    assert.fixture(got, want, f);
  }
  // Same chunks stored (all-fill chunks absent on both sides), same values.
  const chunkKeys = files(join(dir, "data.zarr")).filter((f) => !f.endsWith("zarr.json")).sort();
  assert.equal([...store.data.keys()].filter((k) => !k.endsWith("zarr.json")).sort(), chunkKeys);
  for (const name of await rz!.getColumnNames()) {
    const exp = expected.nodes[`RAT/${name}`]!;
    assertSameValues(await rz!.readBlock(name, 0, 100), toArray(exp.data_type!, exp.values!), name);
  }
});

t.run();
