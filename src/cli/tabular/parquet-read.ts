/**
 * Parquet in, through `hyparquet`: the footer gives the columns and the row
 * count, and `parquetScan` reads each column one block of rows at a time
 * (within a row group), so memory holds a block, not the file. Types, the
 * reverse of `parquet-write.ts`: BOOLEAN → bool; INT32 → int32 (int8,
 * int16, uint8, uint16, uint32 by its logical or converted type); INT64 →
 * int64 (uint64 when unsigned); FLOAT → float32; DOUBLE → float64;
 * BYTE_ARRAY → string. Other types (dates, decimals, nested) are refused,
 * naming the column. A null reads as NaN in a float column and is refused
 * elsewhere. `--type` converts through the value's text (`infer.ts` rules).
 */
import { stat } from "node:fs/promises";
import { asyncBufferFromFile, parquetMetadataAsync, parquetScan, parquetSchema, type SchemaElement } from "hyparquet";
import type { ArrayFor, DataType } from "../../data-types.js";
import { BoundsError, RatZarrError } from "../../errors.js";
import type { ColumnDataType } from "../../rat/options.js";
import { groupHeaders } from "./columns.js";
import { blockArray, CellProblem, cellError, cellWriter } from "./infer.js";
import type { ImportBlock, ImportColumn, SourceOptions, TableSource } from "./source.js";
import { float64Text } from "./text.js";
import { checkTypeNames } from "./types.js";

/** The RAT type of a Parquet leaf column, or undefined when a RAT cannot hold it. */
function fileType(e: SchemaElement): ColumnDataType | undefined {
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (lt !== undefined && lt.type !== "INTEGER" && lt.type !== "STRING") return undefined;
  if (ct !== undefined && !/^(U?INT_(8|16|32|64)|UTF8)$/.test(ct)) return undefined;
  const bits = lt?.type === "INTEGER" ? lt.bitWidth : Number(/\d+$/.exec(ct ?? "")?.[0] ?? 0);
  const unsigned = lt?.type === "INTEGER" ? !lt.isSigned : ct?.startsWith("UINT_") === true;
  switch (e.type) {
    case "BOOLEAN": return "bool";
    case "INT32": return bits === 0 || bits === 32 ? (unsigned ? "uint32" : "int32") : (`${unsigned ? "u" : ""}int${bits}` as ColumnDataType);
    case "INT64": return unsigned ? "uint64" : "int64";
    case "FLOAT": return "float32";
    case "DOUBLE": return "float64";
    case "BYTE_ARRAY": return "string";
    default: return undefined;
  }
}

/** `v` (a value as hyparquet decodes it) as cell text, for `--type` conversions. */
function textOf(v: unknown): string {
  if (typeof v === "number") return float64Text(v);
  return String(v);
}

/** Open a Parquet file: its footer, columns and types. */
export async function openParquet(file: string, options: SourceOptions): Promise<TableSource> {
  await stat(file).catch((e: unknown) => {
    throw new RatZarrError(`${file}: cannot read the file (${(e as Error).message})`, { cause: e, code: "missing" });
  });
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer).catch((e: unknown) => {
    throw new RatZarrError(`${file}: not a Parquet file (${(e as Error).message})`, { cause: e });
  });
  const leaves = parquetSchema(metadata).children;
  const natural = new Map<string, ColumnDataType>();
  for (const leaf of leaves) {
    const e = leaf.element;
    const t = leaf.children.length === 0 ? fileType(e) : undefined;
    if (t === undefined) throw new RatZarrError(`${file}: column "${e.name}" is ${leaf.children.length > 0 ? "nested" : `of Parquet type ${e.type ?? "?"}${e.logical_type ? ` (${e.logical_type.type})` : e.converted_type ? ` (${e.converted_type})` : ""}`}, which a RAT column cannot hold`);
    natural.set(e.name, t);
  }
  const groups = groupHeaders(leaves.map((l) => l.element.name), file);
  checkTypeNames(options.types, groups.map((g) => g.name), file);
  const columns: ImportColumn[] = groups.map((g) => {
    const parts = g.fields.map((f) => natural.get(leaves[f]!.element.name)!);
    if (new Set(parts).size > 1 && !options.types.has(g.name)) throw new RatZarrError(`${file}: columns "${g.name}[0]".."${g.name}[${g.width - 1}]" have different types (${parts.join(", ")}); give one with --type ${g.name}=TYPE`);
    return { name: g.name, width: g.width, dtype: options.types.get(g.name) ?? parts[0]! };
  });
  const rowCount = Number(metadata.num_rows);
  const scan = await parquetScan({ file: buffer, metadata });
  return {
    columns,
    rowCount,
    async *blocks(blockRows: number): AsyncGenerator<ImportBlock> {
      // Blocks of exactly blockRows (whole RAT chunks), whatever the row groups: a block may span several.
      for (let at = 0; at < rowCount; at += blockRows) {
        options.signal.throwIfAborted();
        const rows = Math.min(blockRows, rowCount - at);
        const values = columns.map((c) => blockArray(c.dtype, rows, c.width));
        for (const range of scan.ranges) {
          const from = Math.max(at, range.rowStart);
          const to = Math.min(at + rows, range.rowEnd);
          if (from >= to) continue;
          for (let c = 0; c < columns.length; c++) {
            const { name, dtype, width } = columns[c]!;
            for (let j = 0; j < width; j++) {
              const field = leaves[groups[c]!.fields[j]!]!.element.name;
              const data = (await scan.readColumn({ column: field, rowStart: from, rowEnd: to })) as ArrayLike<unknown>;
              copyColumn(data, values[c]!, { width, j, offset: from - at }, dtype, natural.get(field) === dtype, { file, column: name, first: from });
            }
          }
        }
        yield { rows, values };
      }
    },
  };
}

/** Values of one file column into part `j` of `out` from row `offset` on, converted (through text) when `same` is false. */
function copyColumn(data: ArrayLike<unknown>, out: ArrayFor<DataType>, to: { width: number; j: number; offset: number }, dtype: ColumnDataType, same: boolean, where: { file: string; column: string; first: number }): void {
  const { width, j, offset } = to;
  if (same && width === 1 && ArrayBuffer.isView(data) && data.constructor === out.constructor) {
    (out as Exclude<ArrayFor<DataType>, string[]>).set(data as never, offset);
    return;
  }
  const float = dtype === "float32" || dtype === "float64";
  let r = 0;
  const write = same ? undefined : cellWriter(dtype);
  const o = out as unknown as unknown[];
  for (; r < data.length; r++) {
    const v = data[r];
    const i = (offset + r) * width + j;
    if (v === null || v === undefined) {
      if (!float) throw new BoundsError(`${where.file} row ${where.first + r}, column "${where.column}": null, and ${/^int/.test(dtype) ? "an" : "a"} ${dtype} column has no missing values (only a float column reads null, as NaN)`, { code: "type" });
      o[i] = NaN;
    } else if (write !== undefined) {
      try {
        write(out, i, textOf(v));
      } catch (e) {
        throw e instanceof CellProblem ? cellError(e, where.file, `row ${where.first + r}`, where.column) : e;
      }
    }
    else o[i] = typeof v === "boolean" ? (v ? 1 : 0) : v;
  }
}
