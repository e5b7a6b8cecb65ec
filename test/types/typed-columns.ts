/**
 * Type-level test of typed column handles, checked by `tsc -p tsconfig.json` (never run):
 * each `@ts-expect-error` line must fail to compile, every other line must compile. A line
 * that starts compiling by mistake makes its `@ts-expect-error` unused, which tsc reports.
 */
import { RatColumn, RatZarr } from "../../src/index.js";

export async function typedColumns(rz: RatZarr): Promise<void> {
  const area = await rz.column("area", "float64");
  const fromType: RatColumn<"float64"> = area;
  const dtype: "float64" = area.dtype;
  const block: Float64Array = await area.readBlock(0, 10);
  const x: number = (await area.readBlock(0, 1))[0]! + 1;
  await area.writeBlock(new Float64Array(10), 0);
  const width: number = area.width + area.chunkSize;

  // @ts-expect-error: an Int32Array is not a float64 block
  await area.writeBlock(new Int32Array(10), 0);
  // @ts-expect-error: a Float32Array is not a float64 block either
  await area.writeBlock(new Float32Array(10), 0);
  // @ts-expect-error: a float64 column holds numbers, not bigints
  const wrong = (await area.readBlock(0, 1))[0]! + 1n;
  // @ts-expect-error: no Int32Array comes out of a float64 column
  const notInt: Int32Array = await area.readBlock(0, 1);
  // @ts-expect-error: not a data type
  await rz.column("area", "float128");

  const ids = await rz.column("ids", "int64");
  const next: bigint = (await ids.readBlock(0, 1))[0]! + 1n;
  await ids.writeBlock(BigInt64Array.of(1n, 2n), 0);
  // @ts-expect-error: a 64-bit integer column holds bigints
  const asNumber: number = (await ids.readBlock(0, 1))[0]! + 1;
  // @ts-expect-error: int64 is signed; a BigUint64Array is uint64's
  await ids.writeBlock(BigUint64Array.of(1n), 0);

  const names = await rz.column("names", "string");
  const first: string = (await names.readBlock(0, 1))[0]!.toUpperCase();
  await names.writeBlock(["a", "b"], 0);
  // @ts-expect-error: a string column takes strings
  await names.writeBlock(new Float64Array(2), 0);

  const flags = await rz.column("flags", "bool");
  await flags.writeBlock(Uint8Array.of(0, 1), 0);
  // @ts-expect-error: bool blocks are a Uint8Array of 0/1, not an Int8Array
  await flags.writeBlock(Int8Array.of(0, 1), 0);

  // float16 reads widen to Float32Array.
  const half: Float32Array = await (await rz.column("half", "float16")).readBlock(0, 1);

  // Without a data type: any column, its block a union until narrowed.
  const any = await rz.column("area");
  const union: RatColumn = any;
  const raw = await any.readBlock(0, 1);
  // @ts-expect-error: the union holds bigint and string arrays too
  const sum: number = raw[0]! + 1;
  if (raw instanceof Float64Array) {
    const narrowed: number = raw[0]! + 1;
    void narrowed;
  }

  // A data type held in a variable of the whole union gives the union of array types.
  const dt: "int8" | "uint8" = Math.random() < 0.5 ? "int8" : "uint8";
  const either: Int8Array | Uint8Array = await (await rz.column("small", dt)).readBlock(0, 1);

  // createColumn still resolves to nothing: existing `return rz.createColumn(...)` callers keep compiling.
  const created: void = await rz.createColumn("new", "float32");

  void [fromType, dtype, block, x, width, wrong, notInt, next, asNumber, first, half, union, sum, either, created];
}
