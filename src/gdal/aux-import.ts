/**
 * A RAT read from GDAL's own XML form: the `<GDALRasterAttributeTable>` of
 * a PAM `.aux.xml` (or of a VRT band, or alone), as GDAL's `XMLInit` reads
 * it: columns from `FieldDefn` (`Name`, numeric `Type`, numeric `Usage`),
 * values from each `Row`'s `F` elements in column order, `Row0Min`/`BinSize`
 * and `tableType` from the table's attributes. Colour usages (Red, Green,
 * Blue, Alpha) make a column Integer whatever its `Type`, as in GDAL.
 *
 * Streamed: the XML is read piece by piece and rows are written block by
 * block as they arrive (the row count grows with each block), so memory is
 * bounded by one block. Every `FieldDefn` must come before the first `Row`,
 * as GDAL writes them.
 */
import { allocate, type ArrayFor } from "../data-types.js";
import { BoundsError, RatZarrError, showValue } from "../errors.js";
import { GDAL_USAGES, type GdalTableType, type GdalUsage, setColumnUsage, setLinearBinning, setTableType } from "../rat/gdal-meaning.js";
import type { RatZarr } from "../rat/rat-zarr.js";
import { columnTypeOf, GDAL_FIELD_TYPES, type GdalFieldType } from "./field-types.js";
import { textPieces, type XmlEvent, XmlReader, type XmlSource } from "./xml-reader.js";

export type { XmlSource } from "./xml-reader.js";

/** Options of `importAuxXml`. */
export interface AuxImportOptions {
  /** Read the table of this band (`PAMRasterBand` or `VRTRasterBand` `band` attribute); default: the first table in the file. */
  readonly band?: number;
  /** Rows written per block (default: the RAT's chunk size, so that blocks fill whole chunks). */
  readonly blockLen?: number;
  /** Where warnings go (default: `console.warn`). */
  readonly onWarning?: (message: string) => void;
  /** Stops the import between blocks. */
  readonly signal?: AbortSignal;
}

/** One imported column. */
export interface ImportedField {
  readonly name: string;
  /** The GDAL type as the file gave it. */
  readonly type: GdalFieldType;
  readonly usage: GdalUsage;
  readonly dtype: "int32" | "float64" | "string" | "bool";
}

/** What was read. */
export interface AuxImportSummary {
  readonly rows: number;
  readonly fields: readonly ImportedField[];
  readonly tableType: GdalTableType;
  readonly linearBinning: { readonly row0Min: number; readonly binSize: number } | undefined;
  readonly warnings: readonly string[];
}

type Block = ArrayFor<"int32" | "float64" | "string" | "bool">;

/**
 * Read GDAL's XML from `source` (text or UTF-8 bytes, whole or as an (async) iterable of pieces:
 * a Node read stream, a web `ReadableStream`) into `rat`, which must have no rows and none of
 * the table's column names. Sets each column's usage, the table type and the linear binning.
 */
export async function importAuxXml(source: XmlSource, rat: RatZarr, options: AuxImportOptions = {}): Promise<AuxImportSummary> {
  if (options.band !== undefined && (!Number.isSafeInteger(options.band) || options.band < 1)) throw new RatZarrError(`importAuxXml: band must be a positive integer, got ${showValue(options.band)}`);
  const blockLen = options.blockLen ?? rat.getRATChunkSize();
  if (!Number.isSafeInteger(blockLen) || blockLen < 1) throw new RatZarrError(`importAuxXml: blockLen must be a positive integer, got ${showValue(blockLen)}`);
  if (rat.getRowCount() !== 0) throw new BoundsError(`importAuxXml: RAT "${rat.path}" has ${rat.getRowCount()} rows; import into an empty RAT`);
  const importer = new TableImporter(rat, blockLen, options);
  const reader = new XmlReader();
  for await (const piece of textPieces(source)) {
    for (const e of reader.push(piece)) await importer.event(e);
  }
  for (const e of reader.end()) await importer.event(e);
  return importer.finish();
}

/** The state of one import: where in the document we are, the columns, the block being filled. */
class TableImporter {
  private readonly path: string[] = [];
  /** Depth of the chosen table's element in `path`, while inside it. */
  private tableDepth = -1;
  private done = false;
  private tableType: GdalTableType = "thematic";
  private binning: { row0Min: number; binSize: number } | undefined;
  private readonly defs: { name: string; type: string; usage: string; index: number }[] = [];
  private def: { name: string; type: string; usage: string; index: number } | undefined;
  private fields: ImportedField[] | undefined;
  private element = "";
  private text = "";
  private blocks: Block[] = [];
  private filled = 0;
  private written = 0;
  private rowValues: string[] | undefined;
  private rowIndex = 0;
  private readonly warnings: string[] = [];

  constructor(
    private readonly rat: RatZarr,
    private readonly blockLen: number,
    private readonly options: AuxImportOptions,
  ) {}

  private warn(message: string): void {
    this.warnings.push(message);
    (this.options.onWarning ?? ((m: string) => console.warn(m)))(message);
  }

  async event(e: XmlEvent): Promise<void> {
    if (e.kind === "open") {
      this.path.push(e.name);
      this.bands[this.path.length - 1] = e.attributes["band"];
      if (this.tableDepth === -1) {
        if (!this.done && e.name === "GDALRasterAttributeTable" && this.wanted()) this.openTable(e.attributes);
        return;
      }
      const depth = this.path.length - this.tableDepth - 1;
      if (depth === 1 && e.name === "FieldDefn") {
        if (this.fields !== undefined) throw new RatZarrError(`importAuxXml: a FieldDefn after the first Row; this reader needs every FieldDefn first, as GDAL writes them`);
        this.def = { name: "", type: "1", usage: "0", index: this.defs.length };
      } else if (depth === 1 && e.name === "Row") {
        await this.startRows();
        const index = e.attributes["index"];
        const expected = this.written + this.filled;
        if (index !== undefined && Number(index) !== expected) throw new RatZarrError(`importAuxXml: Row index=${showValue(index)} where row ${expected} comes next; rows must be in order`);
        this.rowValues = [];
      }
      this.element = e.name;
      this.text = "";
      return;
    }
    if (e.kind === "text") {
      if (this.tableDepth !== -1) this.text += e.text;
      return;
    }
    // close
    const depth = this.path.length - this.tableDepth - 1;
    this.path.pop();
    if (this.tableDepth === -1) return;
    if (depth === 0) {
      await this.startRows();
      await this.flush();
      this.tableDepth = -1;
      this.done = true;
    } else if (depth === 2 && this.def !== undefined && ["Name", "Type", "Usage"].includes(e.name)) {
      this.def[e.name.toLowerCase() as "name" | "type" | "usage"] = this.text;
    } else if (depth === 1 && e.name === "FieldDefn" && this.def !== undefined) {
      this.defs.push(this.def);
      this.def = undefined;
    } else if (depth === 2 && e.name === "F" && this.rowValues !== undefined) {
      this.rowValues.push(this.text);
    } else if (depth === 1 && e.name === "Row" && this.rowValues !== undefined) {
      await this.addRow(this.rowValues);
      this.rowValues = undefined;
    }
    this.text = "";
  }

  /** `band` attributes of the open elements (PAMRasterBand, VRTRasterBand), by depth. */
  private readonly bands: (string | undefined)[] = [];

  /** The table just opened is the one asked for: the band's (its parent's `band`), or the first. */
  private wanted(): boolean {
    if (this.options.band === undefined) return true;
    const b = this.bands[this.path.length - 2];
    return b !== undefined && Number(b) === this.options.band;
  }

  private openTable(attributes: Readonly<Record<string, string>>): void {
    this.tableDepth = this.path.length - 1;
    const r0 = attributes["Row0Min"];
    const bs = attributes["BinSize"];
    if (r0 !== undefined && bs !== undefined) {
      const row0Min = parseReal(r0);
      const binSize = parseReal(bs);
      if (row0Min === undefined || binSize === undefined || !Number.isFinite(row0Min) || !Number.isFinite(binSize) || binSize <= 0) {
        this.warn(`importAuxXml: linear binning Row0Min=${showValue(r0)} BinSize=${showValue(bs)} is not a finite start and a size above 0; not kept`);
      } else {
        this.binning = { row0Min, binSize };
      }
    }
    const tt = attributes["tableType"];
    // As GDAL: "athematic" (any case) is athematic, anything else thematic.
    if (tt !== undefined && tt.toLowerCase() === "athematic") this.tableType = "athematic";
  }

  /** At the first Row (or the end of the table): the columns are known; create them. */
  private async startRows(): Promise<void> {
    if (this.fields !== undefined) return;
    const fields: ImportedField[] = [];
    const seen = new Set<string>();
    for (const d of this.defs) {
      const name = d.name;
      if (seen.has(name)) throw new RatZarrError(`importAuxXml: two FieldDefn named ${showValue(name)}; column names in a RAT are unique`);
      seen.add(name);
      let typeNumber = parseIntStrict(d.type.trim());
      if (typeNumber === undefined || typeNumber < 0 || typeNumber >= GDAL_FIELD_TYPES.length) {
        this.warn(`importAuxXml: field ${showValue(name)} has Type ${showValue(d.type)}, which is no GDAL field type; read as String (as GDAL does)`);
        typeNumber = 2;
      }
      let usageNumber = parseIntStrict(d.usage.trim());
      if (usageNumber === undefined || usageNumber < 0 || usageNumber >= GDAL_USAGES.length) {
        this.warn(`importAuxXml: field ${showValue(name)} has Usage ${showValue(d.usage)}, which is no GDAL usage; read as Generic (as GDAL does)`);
        usageNumber = 0;
      }
      const type = GDAL_FIELD_TYPES[typeNumber]!;
      const usage = GDAL_USAGES[usageNumber]!;
      const { dtype, asText } = columnTypeOf(type, usage);
      if (asText) this.warn(`importAuxXml: field ${showValue(name)} is a GDAL ${type}, which a Zarr RAT has no type for; kept as its text in a string column`);
      fields.push({ name, type, usage, dtype });
    }
    for (const f of fields) {
      if (await this.rat.colExists(f.name)) throw new RatZarrError(`importAuxXml: column "${f.name}" already exists in RAT "${this.rat.path}"`, { code: "exists" });
    }
    for (const f of fields) {
      await this.rat.createColumn(f.name, f.dtype);
      await setColumnUsage(this.rat, f.name, f.usage);
    }
    await setTableType(this.rat, this.tableType);
    if (this.binning !== undefined) await setLinearBinning(this.rat, this.binning.row0Min, this.binning.binSize);
    this.fields = fields;
    this.blocks = fields.map((f) => allocate(f.dtype, this.blockLen) as Block);
  }

  private async addRow(values: string[]): Promise<void> {
    const fields = this.fields!;
    const row = this.written + this.filled;
    if (values.length > fields.length) throw new RatZarrError(`importAuxXml: row ${row} has ${values.length} F values for ${fields.length} fields`);
    for (let c = 0; c < fields.length; c++) {
      const f = fields[c]!;
      // Missing trailing values stay at the column's default, as in GDAL.
      const text = values[c];
      if (text === undefined) continue;
      const block = this.blocks[c]!;
      const i = this.filled;
      switch (f.dtype) {
        case "string":
          (block as string[])[i] = text;
          break;
        case "int32": {
          const v = text.trim() === "" ? 0 : parseIntStrict(text.trim());
          if (v === undefined || v < -2147483648 || v > 2147483647) throw new RatZarrError(`importAuxXml: field "${f.name}" row ${row}: ${showValue(text)} is not a 32-bit integer`);
          (block as Int32Array)[i] = v;
          break;
        }
        case "float64": {
          const v = text.trim() === "" ? 0 : parseReal(text.trim());
          if (v === undefined) throw new RatZarrError(`importAuxXml: field "${f.name}" row ${row}: ${showValue(text)} is not a number`);
          (block as Float64Array)[i] = v;
          break;
        }
        case "bool": {
          const v = parseBool(text.trim());
          if (v === undefined) throw new RatZarrError(`importAuxXml: field "${f.name}" row ${row}: ${showValue(text)} is not a boolean (true/false)`);
          (block as Uint8Array)[i] = v ? 1 : 0;
          break;
        }
      }
    }
    this.filled++;
    if (this.filled === this.blockLen) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.filled === 0 || this.fields === undefined) return;
    this.options.signal?.throwIfAborted();
    const n = this.filled;
    const start = this.written;
    await this.rat.setRowCount(start + n);
    await Promise.all(this.fields.map((f, c) => {
      const b = this.blocks[c]!;
      return this.rat.writeBlock(f.name, (n === b.length ? b : b.slice(0, n)) as Block, start);
    }));
    this.written += n;
    this.filled = 0;
    this.blocks = this.fields.map((f) => allocate(f.dtype, this.blockLen) as Block);
  }

  finish(): AuxImportSummary {
    if (!this.done) {
      throw new RatZarrError(this.options.band === undefined ? "importAuxXml: no GDALRasterAttributeTable in the file" : `importAuxXml: no GDALRasterAttributeTable for band ${this.options.band} in the file`, { code: "missing" });
    }
    return { rows: this.written, fields: this.fields ?? [], tableType: this.tableType, linearBinning: this.binning, warnings: this.warnings };
  }
}

function parseIntStrict(s: string): number | undefined {
  if (!/^[+-]?[0-9]{1,16}$/.test(s)) return undefined;
  return Number(s);
}

/** A Real as GDAL writes it (printf %.16g; "nan", "inf", "-inf") or as C's strtod reads it. */
function parseReal(s: string): number | undefined {
  const t = s.toLowerCase();
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^[+]?inf(inity)?$/.test(t)) return Infinity;
  if (/^-inf(inity)?$/.test(t)) return -Infinity;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/.test(t)) return undefined;
  return Number(t);
}

function parseBool(s: string): boolean | undefined {
  const t = s.toLowerCase();
  if (["true", "1", "yes", "on"].includes(t)) return true;
  if (["false", "0", "no", "off", ""].includes(t)) return false;
  return undefined;
}
