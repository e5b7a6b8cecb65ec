/**
 * Parquet out through `hyparquet-writer`'s `ParquetWriter`: one row group per
 * block, each flushed to the output before the next block is read, so memory
 * holds one block (plus the page indexes of the row groups so far, a few
 * dozen bytes per column and row group, kept for the footer). Types:
 *
 *   bool → BOOLEAN; int8/int16/int32 → INT32 (INT_8, INT_16, plain);
 *   uint8/uint16/uint32 → INT32 (UINT_8, UINT_16, UINT_32); int64 → INT64;
 *   uint64 → INT64 (UINT_64); float32 (and float16) → FLOAT; float64 → DOUBLE;
 *   string → BYTE_ARRAY (UTF8). Every column REQUIRED (a RAT has no nulls),
 *   SNAPPY-compressed; width>1 columns as `name[0]` .. `name[k-1]`.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { SchemaElement } from "hyparquet";
import type { ArrayFor, DataType } from "../../data-types.js";
import { headerNames, type TableBlock, type TableColumn } from "./columns.js";
import type { ByteSink } from "./output.js";
import type { TableSink } from "./sink.js";

type Physical = Pick<SchemaElement, "type" | "converted_type">;

const PARQUET_TYPES: Readonly<Record<DataType, Physical>> = {
  bool: { type: "BOOLEAN" },
  int8: { type: "INT32", converted_type: "INT_8" },
  int16: { type: "INT32", converted_type: "INT_16" },
  int32: { type: "INT32" },
  int64: { type: "INT64" },
  uint8: { type: "INT32", converted_type: "UINT_8" },
  uint16: { type: "INT32", converted_type: "UINT_16" },
  uint32: { type: "INT32", converted_type: "UINT_32" },
  uint64: { type: "INT64", converted_type: "UINT_64" },
  float16: { type: "FLOAT" },
  float32: { type: "FLOAT" },
  float64: { type: "DOUBLE" },
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
};

/** Part `j` of every row of a width-`w` block, as the array the writer takes for `dtype`. */
function part(dtype: DataType, values: ArrayFor<DataType>, rows: number, w: number, j: number): ArrayLike<unknown> {
  if (dtype === "bool") {
    const out = new Array<boolean>(rows);
    for (let r = 0; r < rows; r++) out[r] = values[r * w + j] === 1;
    return out;
  }
  let flat: ArrayLike<unknown> = values;
  if (w > 1) {
    const out = dtype === "string" ? new Array<string>(rows) : new (values.constructor as new (n: number) => Exclude<ArrayFor<DataType>, string[]>)(rows);
    for (let r = 0; r < rows; r++) (out as unknown[])[r] = values[r * w + j];
    flat = out;
  }
  // hyparquet-writer 0.17.0 maps UINT_32 values past 2^31 to the signed bit pattern only from a plain array.
  if (dtype === "uint32") return Array.from(flat as Uint32Array);
  return flat;
}

/** A Parquet writer of `columns` on `out`: a row group per block. */
export function parquetSink(columns: readonly TableColumn[], out: ByteSink): TableSink {
  const names = columns.map(headerNames);
  const schema: SchemaElement[] = [
    { name: "root", num_children: names.reduce((a, n) => a + n.length, 0) },
    ...columns.flatMap((c, i) => names[i]!.map((name) => ({ name, repetition_type: "REQUIRED" as const, ...PARQUET_TYPES[c.dtype] }))),
  ];
  const writer = new ByteWriter(1 << 20);
  // The writer calls flush() after each row group and finish() at the end: the buffer goes out and is reused.
  const drain = async (): Promise<void> => {
    const bytes = new Uint8Array(writer.buffer, 0, writer.index).slice();
    writer.index = 0;
    await out.write(bytes);
  };
  Object.assign(writer, { flush: drain, finish: drain });
  const parquet = new ParquetWriter({ writer, schema, createdBy: "ratzarr" });
  return {
    async block(b: TableBlock): Promise<void> {
      if (b.rows === 0) return;
      const columnData = columns.flatMap((c, i) => names[i]!.map((name, j) => ({
        name,
        data: part(c.dtype, b.values[i]!, b.rows, c.width, j) as never,
      })));
      await parquet.write({ columnData, rowGroupSize: b.rows });
    },
    async finish(): Promise<void> {
      await parquet.finish();
    },
  };
}
