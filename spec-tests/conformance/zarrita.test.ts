/**
 * An independent JS reader: zarrita.js (npm `zarrita` with `@zarrita/storage`,
 * test-only devDependencies) opens a RAT that ratzarr wrote on disk and reads
 * every column of every data type and width, the group attributes and a
 * modification log. Every value is compared with what ratzarr reads back
 * (and that with what was written), NaN equal to NaN and -0 apart from 0.
 *
 * What zarrita 0.7.5 returns, normalised below: `bool` as its own `BoolArray`
 * (iterates as true/false; one byte per value), `int64`/`uint64` as
 * `BigInt64Array`/`BigUint64Array`, `string` (vlen-utf8) as a plain
 * `string[]`, the other numeric types as the matching typed array; 2-d
 * columns come back flat, row-major (`shape [rows, 3]`, `stride [3, 1]`).
 * Missing chunks read as the fill value (`false`, `0`, `0n`, `""`).
 * zarrita decodes zstd with the same npm `numcodecs` WASM build that ratzarr
 * uses, so the zstd step is not an independent check; vlen-utf8, bytes,
 * chunk keys, edge chunks and metadata parsing are.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";
import { RatZarr, type ColumnDataType } from "../../src/node/index.js";
import type { ArrayFor, DataType } from "../../src/data-types.js";
import { sampleColumn } from "../harness/values.js";
import { assertSameValues } from "../../test/helpers/values.js";

const t = suite("conformance: zarrita.js reads what ratzarr writes");
const TYPES: ColumnDataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];
const ROWS = 23, CHUNK = 5, RAT = "RAT";
/** Shrunk to this and grown back: rows 17..19 are cut out of the stored chunk 3 (cleared), chunk 4 (rows 20..22) is deleted. */
const SHRINK = 17;
const PROVENANCE = { user: "tsuser", argv: ["node", "zarrita.test.ts"] };
/** Partly written columns: rows 5..9 (one whole chunk) and 16..18 (inside chunk 3); chunks 0, 2 and 4 are never stored. */
const PARTIAL: ColumnDataType[] = ["bool", "int32", "uint64", "float64", "string"];
const PARTIAL_RUNS: [number, number][] = [[5, 10], [16, 19]];

let work: string;
let path: string;
/** What every column should hold after the shrink+grow and the second session's writes. */
const expected = new Map<string, { dt: ColumnDataType; width: number; data: ArrayFor<DataType>; sessions: number }>();

t.before(() => {
  work = mkdtempSync(join(tmpdir(), "ratzarr-zarrita-"));
  path = join(work, "rat.zarr");
});
t.after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A fill-valued array of `dt` (0, false, 0n, ""). */
function fillArray(dt: ColumnDataType, n: number): ArrayFor<DataType> {
  if (dt === "string") return Array.from({ length: n }, () => "");
  const a = sampleColumn(dt, n, 1, 1);
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return a.fill(0n);
  return (a as Exclude<typeof a, BigInt64Array | BigUint64Array | string[]>).fill(0);
}

/** Copy `src[from..to)` (values, not rows) into `dst` at `from`. */
function copyRange(dst: ArrayFor<DataType>, src: ArrayFor<DataType>, from: number, to: number): void {
  for (let i = from; i < to; i++) (dst as unknown as unknown[])[i] = (src as unknown as unknown[])[i];
}

/** Sample data with the awkward values planted at fixed places, so every run has them. */
function columnData(dt: ColumnDataType, width: number, seed: number): ArrayFor<DataType> {
  const a = sampleColumn(dt, ROWS, width, seed);
  const plant = (values: unknown[]) => values.forEach((v, i) => ((a as unknown as unknown[])[(i * 4 + 1) % a.length] = v));
  switch (dt) {
    case "string": plant(["", "日本語 🌍 \u{10FFFF} é\u0301", "y".repeat(70_000), "ü".repeat(5000), "\u0000nul inside\u0000", ""]); break;
    case "float64": case "float32": plant([NaN, -0, 0, Infinity, -Infinity, dt === "float64" ? 5e-324 : 1e-45, dt === "float64" ? -1.7976931348623157e308 : -3.4028234663852886e38]); break;
    case "int64": plant([-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 2n ** 53n + 1n]); break;
    case "uint64": plant([2n ** 64n - 1n, 0n, 2n ** 63n, 2n ** 53n + 1n]); break;
    case "int8": plant([-128, 127]); break;
    case "int16": plant([-32768, 32767]); break;
    case "int32": plant([-(2 ** 31), 2 ** 31 - 1]); break;
    case "uint8": plant([255, 0]); break;
    case "uint16": plant([65535, 0]); break;
    case "uint32": plant([2 ** 32 - 1, 0]); break;
    case "bool": plant([1, 0, 1]); break;
  }
  return a;
}

/** zarrita's chunk data as ratzarr's array type: BoolArray → Uint8Array of 0/1; everything else as it came (checked first). */
function normalise(dt: ColumnDataType, data: unknown, name: string): ArrayFor<DataType> {
  if (dt === "bool") {
    assert.ok(data instanceof zarr.BoolArray, `${name}: zarrita gives bool as a BoolArray`);
    return Uint8Array.from(data as zarr.BoolArray, (v) => (v ? 1 : 0));
  }
  if (dt === "string") {
    assert.ok(Array.isArray(data) && data.every((v) => typeof v === "string"), `${name}: zarrita gives strings as string[]`);
  }
  return data as ArrayFor<DataType>;
}

t("ratzarr writes a RAT of every data type and width, with gaps and a shrink+grow", async () => {
  const rz = await RatZarr.open(path, { provenance: PROVENANCE, onWarning: () => undefined });
  await rz.setChunkSize(CHUNK);
  await rz.setRowCount(ROWS);
  for (const [i, dt] of TYPES.entries()) {
    for (const width of [1, 3]) {
      const name = `${dt}_w${width}`;
      const data = columnData(dt, width, 1000 + i * 10 + width);
      await rz.createColumn(name, dt, { width });
      // Three write patterns: one aligned block; 7-row unaligned blocks; aligned 10 + unaligned 4 + 9 to the ragged end.
      const starts = [[0], [0, 7, 14, 21], [0, 10, 14]][(i + width) % 3]!;
      for (const [k, s] of starts.entries()) {
        const stop = starts[k + 1] ?? ROWS;
        await rz.writeBlock(name, data.slice(s * width, stop * width) as never, s);
      }
      expected.set(name, { dt, width, data, sessions: 1 });
    }
  }
  for (const [i, dt] of PARTIAL.entries()) {
    const name = `partial_${dt}`;
    const data = columnData(dt, 1, 2000 + i);
    const exp = fillArray(dt, ROWS);
    await rz.createColumn(name, dt);
    for (const [s, e] of PARTIAL_RUNS) {
      await rz.writeBlock(name, data.slice(s, e) as never, s);
      copyRange(exp, data, s, e);
    }
    expected.set(name, { dt, width: 1, data: exp, sessions: 1 });
  }
  // Shrink then grow: ratzarr clears the cut tail, so rows SHRINK.. read as fill.
  await rz.setRowCount(SHRINK);
  await rz.setRowCount(ROWS);
  for (const col of expected.values()) copyRange(col.data, fillArray(col.dt, ROWS * col.width), SHRINK * col.width, ROWS * col.width);
  await rz.close();

  // A second session writes the aligned tail chunk (rows 20..22) of the width-3 columns again; rows 17..19 stay fill.
  const rz2 = await RatZarr.open(path, { provenance: { user: "second", argv: [] }, onWarning: () => undefined });
  for (const [name, col] of expected) {
    if (col.width !== 3) continue;
    const tail = columnData(col.dt, col.width, 3000 + name.length);
    await rz2.writeBlock(name, tail.slice(20 * col.width) as never, 20);
    copyRange(col.data, tail, 20 * col.width, ROWS * col.width);
    col.sessions = 2;
  }
  // ratzarr itself reads back what we expect (so the comparison with zarrita below is not vacuous).
  for (const [name, col] of expected) assertSameValues(await rz2.readBlock(name, 0, ROWS), col.data, `ratzarr ${name}`);
  await rz2.close();
});

t("zarrita reads every column: dtype, shape, chunks, fill value and every value", async () => {
  const root = zarr.root(new FileSystemStore(path));
  const rz = await RatZarr.open(path, { readOnly: true });
  assert.equal(await rz.getColumnNames(), [...expected.keys()].sort());
  for (const [name, col] of expected) {
    const arr = await zarr.open(root.resolve(`${RAT}/${name}`), { kind: "array" });
    assert.is(arr.dtype, col.dt, name);
    assert.equal(arr.shape, col.width === 1 ? [ROWS] : [ROWS, col.width], name);
    assert.equal(arr.chunks, col.width === 1 ? [CHUNK] : [CHUNK, col.width], name);
    assert.is(arr.fillValue, ({ bool: false, string: "", int64: 0n, uint64: 0n } as Record<string, unknown>)[col.dt] ?? 0, name);
    const got = await zarr.get(arr);
    assert.equal(got.shape, col.width === 1 ? [ROWS] : [ROWS, col.width], name);
    assert.equal(got.stride, col.width === 1 ? [1] : [col.width, 1], name);
    const values = normalise(col.dt, got.data, name);
    const ours = await rz.readBlock(name, 0, ROWS);
    assertSameValues(values, ours, `zarrita vs ratzarr ${name}`);
    assertSameValues(values, col.data, `zarrita vs written ${name}`);
  }
  await rz.close();
});

t("zarrita reads unaligned slices across chunk edges, the cleared tail and missing chunks", async () => {
  const root = zarr.root(new FileSystemStore(path));
  for (const name of ["float64_w1", "string_w3", "uint16_w3", "partial_string", "partial_bool", "int64_w1"]) {
    const col = expected.get(name)!;
    const arr = await zarr.open(root.resolve(`${RAT}/${name}`), { kind: "array" });
    for (const [s, e] of [[3, 18], [14, 22], [9, 11], [22, 23]] as const) {
      const sel = col.width === 1 ? [zarr.slice(s, e)] : [zarr.slice(s, e), null];
      const got = await zarr.get(arr, sel);
      assert.equal(got.shape, col.width === 1 ? [e - s] : [e - s, col.width], `${name} ${s}..${e}`);
      assertSameValues(normalise(col.dt, got.data, name), col.data.slice(s * col.width, e * col.width), `${name} ${s}..${e}`);
    }
  }
});

t("zarrita reads the group attributes and a column's MODIFICATIONLOG", async () => {
  const root = zarr.root(new FileSystemStore(path));
  const top = await zarr.open(root, { kind: "group" });
  assert.equal(top.attrs, {});
  const group = await zarr.open(root.resolve(RAT), { kind: "group" });
  assert.equal(group.attrs, { ROWCOUNT: ROWS, CHUNKSIZE: CHUNK });
  const rz = await RatZarr.open(path, { readOnly: true });
  for (const name of ["float64_w1", "string_w3"]) {
    const arr = await zarr.open(root.resolve(`${RAT}/${name}`), { kind: "array" });
    const log = arr.attrs["MODIFICATIONLOG"];
    assert.equal(log, await rz.getModificationLog(name), name);
    assert.ok(Array.isArray(log) && log.length === expected.get(name)!.sessions, name);
    assert.equal((log as unknown[][])[0]!.slice(1), [PROVENANCE.user, PROVENANCE.argv]);
    if (expected.get(name)!.sessions === 2) assert.equal((log as unknown[][])[1]!.slice(1), ["second", []]);
    assert.match(String((log as unknown[][])[0]![0]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  }
  await rz.close();
});

t.run();
