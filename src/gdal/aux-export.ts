/**
 * A RAT written in GDAL's own XML form, the `<GDALRasterAttributeTable>`
 * that GDAL keeps in a raster's PAM `.aux.xml` and in a VRT band
 * (`GDALRasterAttributeTable::Serialize` in gcore/gdal_rat.cpp: `FieldDefn`
 * with `Name`, numeric `Type` and `Usage`; `Row index=` with one `F` per
 * column; `Row0Min`/`BinSize` for linear binning; `tableType`).
 *
 * Streamed: rows are read block by block and written as they are read, so
 * memory is bounded by one block whatever the row count. What GDAL cannot
 * hold is reported through `onWarning` (once per column and kind), never
 * silently: 64-bit integers beyond GDAL's 32-bit Integer, columns of width
 * > 1 (left out), strings over `longStrings` bytes, NUL characters, colour
 * usages on non-integer columns.
 */
import type { ArrayFor, DataType } from "../data-types.js";
import { BoundsError, RatZarrError, showValue } from "../errors.js";
import { GDAL_USAGES, type GdalUsage, getColumnUsage, getLinearBinning, getTableType } from "../rat/gdal-meaning.js";
import type { RatZarr } from "../rat/rat-zarr.js";
import { type FieldTypeChoices, GDAL_FIELD_TYPES, type GdalFieldType, gdalTypeOf, INTEGER_USAGES } from "./field-types.js";
import { escapeXml, formatReal } from "./xml-text.js";

/** Where exported text goes, piece by piece in order; awaited before the next piece (back-pressure). */
export type TextSink = (text: string) => unknown;

/** Options of `exportAuxXml` and `exportVrt`. */
export interface AuxExportOptions extends FieldTypeChoices {
  /**
   * "pam" (default): a whole `.aux.xml` (`<PAMDataset><PAMRasterBand band=…>` around the table);
   * "table": the `<GDALRasterAttributeTable>` element alone, to put inside a VRT band or a PAM band of your own.
   */
  readonly form?: "pam" | "table";
  /** The band the table belongs to (PAM `band` attribute; default 1). */
  readonly band?: number;
  /** Columns to write, in this order (GDAL's field order); default every column, sorted by name. */
  readonly columns?: readonly string[];
  /** Rows read and written per block (default 65536): bounds memory to about this many rows of every column. */
  readonly blockLen?: number;
  /** Warn about strings longer than this many UTF-8 bytes (default 65535; GDAL drivers with fixed-width string fields cut them). */
  readonly longStrings?: number;
  /** Where warnings go (default: `console.warn`). */
  readonly onWarning?: (message: string) => void;
  /** Stops the export between blocks. */
  readonly signal?: AbortSignal;
}

/** One exported column. */
export interface ExportedField {
  readonly name: string;
  readonly type: GdalFieldType;
  readonly usage: GdalUsage;
}

/** What was written. */
export interface AuxExportSummary {
  readonly rows: number;
  readonly fields: readonly ExportedField[];
  /** Columns left out (width > 1). */
  readonly skipped: readonly string[];
  readonly warnings: readonly string[];
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** GDAL's row count is a C int. */
const MAX_GDAL_ROWS = INT32_MAX;
const FLUSH_CHARS = 1 << 20;

interface Plan {
  readonly field: ExportedField;
  readonly dtype: DataType;
  /** Turns value `i` of a block into the text of its `<F>`. */
  readonly format: (block: ArrayFor<DataType>, i: number, row: number) => string;
}

/** Write the RAT as GDAL's XML to `sink` (see `AuxExportOptions.form`); resolves with what was written. */
export async function exportAuxXml(rat: RatZarr, sink: TextSink, options: AuxExportOptions = {}): Promise<AuxExportSummary> {
  const form = options.form ?? "pam";
  if (form !== "pam" && form !== "table") throw new RatZarrError(`exportAuxXml: form must be "pam" or "table", got ${showValue(form)}`);
  const band = checkBand(options.band ?? 1);
  const indent = form === "pam" ? "    " : "";
  const prefix = form === "pam" ? `<PAMDataset>\n  <PAMRasterBand band="${band}">\n` : "";
  const summary = await writeTable(rat, sink, prefix, indent, options);
  if (form === "pam") await sink("  </PAMRasterBand>\n</PAMDataset>\n");
  return summary;
}

/** The raster a VRT made by `exportVrt` reads its pixels from. */
export interface VrtRaster {
  /** Path of the raster as the VRT names it. */
  readonly path: string;
  /** True (default) when `path` is relative to the VRT's folder. */
  readonly relativeToVrt?: boolean;
  readonly width: number;
  readonly height: number;
  /** GDAL's name of the band's data type: "Byte", "UInt16", "Int32", "Float32", ... */
  readonly dataType: string;
  /** The band of `path` (default 1). */
  readonly sourceBand?: number;
}

/**
 * Write a one-band VRT whose band reads `raster` and carries the RAT: GDAL (`gdalinfo`,
 * `GetDefaultRAT()`) sees the table on the VRT's band 1. Options as `exportAuxXml` (`form` aside).
 */
export async function exportVrt(rat: RatZarr, sink: TextSink, raster: VrtRaster, options: Omit<AuxExportOptions, "form" | "band"> = {}): Promise<AuxExportSummary> {
  for (const k of ["width", "height"] as const) if (!Number.isSafeInteger(raster[k]) || raster[k] < 1) throw new RatZarrError(`exportVrt: raster ${k} must be a positive integer, got ${showValue(raster[k])}`);
  if (typeof raster.dataType !== "string" || !/^[A-Za-z0-9]+$/.test(raster.dataType)) throw new RatZarrError(`exportVrt: raster dataType must be a GDAL data type name such as "Byte", got ${showValue(raster.dataType)}`);
  const sourceBand = checkBand(raster.sourceBand ?? 1);
  const prefix = `<VRTDataset rasterXSize="${raster.width}" rasterYSize="${raster.height}">\n  <VRTRasterBand dataType="${raster.dataType}" band="1">\n`;
  const summary = await writeTable(rat, sink, prefix, "    ", options);
  await sink(
    `    <SimpleSource>\n      <SourceFilename relativeToVRT="${raster.relativeToVrt === false ? 0 : 1}">${escapeXml(raster.path)}</SourceFilename>\n` +
      `      <SourceBand>${sourceBand}</SourceBand>\n    </SimpleSource>\n  </VRTRasterBand>\n</VRTDataset>\n`,
  );
  return summary;
}

function checkBand(band: number): number {
  if (!Number.isSafeInteger(band) || band < 1) throw new RatZarrError(`GDAL band must be a positive integer, got ${showValue(band)}`);
  return band;
}

/** Check and plan everything, then write `prefix` and the table: a refused export writes nothing. */
async function writeTable(rat: RatZarr, sink: TextSink, prefix: string, indent: string, options: AuxExportOptions): Promise<AuxExportSummary> {
  const blockLen = options.blockLen ?? 65536;
  if (!Number.isSafeInteger(blockLen) || blockLen < 1) throw new RatZarrError(`exportAuxXml: blockLen must be a positive integer, got ${showValue(blockLen)}`);
  const longStrings = options.longStrings ?? 65535;
  const warnings: string[] = [];
  const warned = new Set<string>();
  const warn = (key: string, message: string): void => {
    if (warned.has(key)) return;
    warned.add(key);
    warnings.push(message);
    (options.onWarning ?? ((m: string) => console.warn(m)))(message);
  };
  const rows = rat.getRowCount();
  if (rows > MAX_GDAL_ROWS) throw new BoundsError(`RAT "${rat.path}": ${rows} rows, GDAL holds at most ${MAX_GDAL_ROWS}`);
  const names = options.columns === undefined ? await rat.getColumnNames() : [...options.columns];
  if (new Set(names).size !== names.length) throw new RatZarrError(`exportAuxXml: columns names a column twice: ${showValue(names)}`);
  const plans: Plan[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const width = await rat.getColumnWidth(name);
    if (width !== 1) {
      skipped.push(name);
      warn(`${name}/width`, `column "${name}": width ${width}; a GDAL RAT field holds one value per row, so the column is left out`);
      continue;
    }
    plans.push(planColumn(name, await rat.getColumnDtype(name), await getColumnUsage(rat, name), options, longStrings, warn));
  }

  const w = escapeXml;
  const binning = await getLinearBinning(rat);
  let head = `${prefix}${indent}<GDALRasterAttributeTable`;
  if (binning !== undefined) head += ` Row0Min="${formatReal(binning.row0Min)}" BinSize="${formatReal(binning.binSize)}"`;
  head += ` tableType="${await getTableType(rat)}">\n`;
  plans.forEach((p, i) => {
    const type = GDAL_FIELD_TYPES.indexOf(p.field.type);
    const usage = GDAL_USAGES.indexOf(p.field.usage);
    head += `${indent}  <FieldDefn index="${i}">\n${indent}    <Name>${w(p.field.name)}</Name>\n`;
    head += `${indent}    <Type typeAsString="${p.field.type}">${type}</Type>\n${indent}    <Usage usageAsString="${p.field.usage}">${usage}</Usage>\n${indent}  </FieldDefn>\n`;
  });
  await sink(head);

  let parts: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (parts.length === 0) return;
    const text = parts.join("");
    parts = [];
    size = 0;
    await sink(text);
  };
  const rowOpen = `${indent}  <Row index="`;
  const fOpen = `${indent}    <F>`;
  const rowClose = `${indent}  </Row>\n`;
  // The next block is read while this one is written.
  const read = (start: number): Promise<ArrayFor<DataType>[]> => Promise.all(plans.map((p) => rat.readBlock(p.field.name, start, blockLen)));
  let pending = rows > 0 ? read(0) : undefined;
  for (let start = 0; start < rows; start += blockLen) {
    options.signal?.throwIfAborted();
    const blocks = await pending!;
    pending = start + blockLen < rows ? read(start + blockLen) : undefined;
    // A rejected read-ahead is thrown by the next await; keep it from being reported as unhandled meanwhile.
    pending?.catch(() => undefined);
    const n = Math.min(blockLen, rows - start);
    for (let i = 0; i < n; i++) {
      const row = start + i;
      let s = `${rowOpen}${row}">\n`;
      for (let c = 0; c < plans.length; c++) s += `${fOpen}${plans[c]!.format(blocks[c]!, i, row)}</F>\n`;
      s += rowClose;
      parts.push(s);
      size += s.length;
      if (size >= FLUSH_CHARS) await flush();
    }
  }
  parts.push(`${indent}</GDALRasterAttributeTable>\n`);
  await flush();
  return { rows, fields: plans.map((p) => p.field), skipped, warnings };
}

function planColumn(name: string, dtype: DataType, usage: GdalUsage, choices: FieldTypeChoices, longStrings: number, warn: (key: string, message: string) => void): Plan {
  const type = gdalTypeOf(dtype, choices);
  const field: ExportedField = { name, type, usage };
  if (INTEGER_USAGES.has(usage) && type !== "Integer") {
    warn(`${name}/colour`, `column "${name}": usage ${usage} makes GDAL read the column as Integer; its ${dtype} values will be cut to whole numbers by GDAL`);
  }
  const numbers = (block: ArrayFor<DataType>) => block as ArrayLike<number>;
  const bigints = (block: ArrayFor<DataType>) => block as ArrayLike<bigint>;
  switch (type) {
    case "Boolean":
      return { field, dtype, format: (b, i) => (numbers(b)[i] ? "true" : "false") };
    case "String":
      return {
        field,
        dtype,
        format: (b, i, row) => {
          const s = (b as string[])[i]!;
          if (s.includes("\u0000")) warn(`${name}/nul`, `column "${name}": row ${row} holds a NUL character, which GDAL strings cannot hold; it is left out`);
          // UTF-8 length is at most 3 bytes per UTF-16 unit: count only when it could matter.
          if (s.length * 3 > longStrings && new TextEncoder().encode(s).length > longStrings) {
            warn(`${name}/long`, `column "${name}": row ${row} holds a string of more than ${longStrings} UTF-8 bytes; GDAL reads it from .aux.xml, but GDAL formats with fixed-width strings (HFA, the .vat.dbf of ArcGIS) cut it`);
          }
          return escapeXml(s);
        },
      };
    case "Real":
      if (dtype === "int64" || dtype === "uint64") {
        return {
          field,
          dtype,
          format: (b, i, row) => {
            const v = bigints(b)[i]!;
            const x = Number(v);
            if (BigInt(x) !== v) warn(`${name}/precision`, `column "${name}": row ${row} holds ${v}, which a GDAL Real (a double) holds only as ${formatReal(x)}`);
            return formatReal(x);
          },
        };
      }
      return { field, dtype, format: (b, i) => formatReal(numbers(b)[i]!) };
    case "Integer":
      if (dtype === "int64" || dtype === "uint64") {
        return {
          field,
          dtype,
          format: (b, i, row) => {
            const v = bigints(b)[i]!;
            if (v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) return String(v);
            warn(`${name}/range`, `column "${name}": row ${row} holds ${v}, outside GDAL's 32-bit Integer; written as ${v < 0n ? INT32_MIN : INT32_MAX} (export with wideIntegers: "real" to keep it as a double)`);
            return String(v < 0n ? INT32_MIN : INT32_MAX);
          },
        };
      }
      if (dtype === "uint32") {
        return {
          field,
          dtype,
          format: (b, i, row) => {
            const v = numbers(b)[i]!;
            if (v <= INT32_MAX) return String(v);
            warn(`${name}/range`, `column "${name}": row ${row} holds ${v}, outside GDAL's 32-bit Integer; written as ${INT32_MAX} (export with wideIntegers: "real" to keep it as a double)`);
            return String(INT32_MAX);
          },
        };
      }
      return { field, dtype, format: (b, i) => String(numbers(b)[i]!) };
    default:
      throw new RatZarrError(`column "${name}": ${dtype} has no GDAL field type here`);
  }
}
