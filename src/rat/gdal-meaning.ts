/**
 * GDAL's meaning of a RAT, kept as plain attributes that Python ratzarr and
 * zarr-python carry along untouched: a usage per column (GDAL's
 * `GDALRATFieldUsage`, `GFU_*`), and per RAT a table type (`GRTT_*`) and
 * linear binning (`Row0Min`, `BinSize`). Neither Python ratzarr (which treats
 * every column as `GFU_Generic`) nor GDAL's Zarr driver (which has no RAT)
 * defines attributes for these, so the names are ours (README, "GDAL"):
 *
 * - column attribute `GDAL_USAGE`: one of `GDAL_USAGES` (absent: "Generic");
 * - RAT attribute `GDAL_TABLE_TYPE`: "thematic" or "athematic" (absent: "thematic");
 * - RAT attribute `GDAL_LINEAR_BINNING`: `{"Row0Min": number, "BinSize": number}` (absent: none).
 *
 * Values are the names GDAL itself prints (`GDALGetRATFieldUsageName`, the
 * `tableType` of its XML), not its enum numbers, so a person reading
 * `zarr.json` can tell what they mean.
 */
import type { JsonValue } from "../codecs/codec.js";
import type { ArrayFor, DataType } from "../data-types.js";
import { RatZarrError, showValue } from "../errors.js";
import { mapLimit } from "../format/concurrency.js";
import type { RatZarr } from "./rat-zarr.js";

/** GDAL's field usages, at the index of their `GFU_*` number (`GFU_Generic` = 0 ... `GFU_AlphaMax` = 17). */
export const GDAL_USAGES = [
  "Generic", "PixelCount", "Name", "Min", "Max", "MinMax",
  "Red", "Green", "Blue", "Alpha",
  "RedMin", "GreenMin", "BlueMin", "AlphaMin",
  "RedMax", "GreenMax", "BlueMax", "AlphaMax",
] as const;

/** A GDAL field usage by name: "Generic", "PixelCount", "Name", "Min", "Max", "MinMax", the colours and their Min/Max forms. */
export type GdalUsage = (typeof GDAL_USAGES)[number];

/** GDAL's table types, at the index of their `GRTT_*` number (`GRTT_THEMATIC` = 0, `GRTT_ATHEMATIC` = 1). */
export const GDAL_TABLE_TYPES = ["thematic", "athematic"] as const;

/** "thematic" (each row a class) or "athematic" (rows are ranges of a continuous value). */
export type GdalTableType = (typeof GDAL_TABLE_TYPES)[number];

/** Linear binning: row `i` holds the pixel values `row0Min + i * binSize` up to (not including) the next row's. */
export interface LinearBinning {
  readonly row0Min: number;
  readonly binSize: number;
}

/** The attribute names this module reads and writes. */
export const GDAL_ATTRIBUTES = {
  /** Column attribute: the column's usage, a `GdalUsage` name. */
  usage: "GDAL_USAGE",
  /** RAT attribute: the table type, "thematic" or "athematic". */
  tableType: "GDAL_TABLE_TYPE",
  /** RAT attribute: `{"Row0Min": number, "BinSize": number}`. */
  linearBinning: "GDAL_LINEAR_BINNING",
} as const;

/** True when `value` is one of `GDAL_USAGES`. */
export function isGdalUsage(value: unknown): value is GdalUsage {
  return typeof value === "string" && (GDAL_USAGES as readonly string[]).includes(value);
}

function checkUsage(usage: unknown, where: string): asserts usage is GdalUsage {
  if (!isGdalUsage(usage)) throw new RatZarrError(`${where}: ${showValue(usage)} is not a GDAL usage (one of ${GDAL_USAGES.join(", ")})`);
}

/** Set the GDAL usage of column `name` (stored as its `GDAL_USAGE` attribute). */
export async function setColumnUsage(rat: RatZarr, name: string, usage: GdalUsage): Promise<void> {
  checkUsage(usage, `column "${name}"`);
  await (await rat.getColumnAttributeMapping(name)).set(GDAL_ATTRIBUTES.usage, usage);
}

/** The GDAL usage of column `name`, as stored now: "Generic" when it has none. A stored value that is not a usage is a `RatZarrError` naming column and value. */
export async function getColumnUsage(rat: RatZarr, name: string): Promise<GdalUsage> {
  const m = await rat.getColumnAttributeMapping(name);
  // Another handle may have set it since this one opened the column.
  await m.refresh();
  const v = m.get(GDAL_ATTRIBUTES.usage);
  if (v === undefined) return "Generic";
  if (!isGdalUsage(v)) throw new RatZarrError(`column "${name}": attribute ${GDAL_ATTRIBUTES.usage} is ${showValue(v)}, not a GDAL usage (one of ${GDAL_USAGES.join(", ")})`, { code: "metadata" });
  return v;
}

/** The usage of every column, in column-name order. */
export async function getColumnUsages(rat: RatZarr): Promise<Map<string, GdalUsage>> {
  const names = await rat.getColumnNames();
  const usages = await mapLimit(names, 8, (n) => getColumnUsage(rat, n));
  return new Map(names.map((n, i) => [n, usages[i]!]));
}

/**
 * The first column (in `getColumnNames()` order, i.e. sorted by name) whose usage is `usage`,
 * or undefined when none has it. As GDAL's `GetColOfUsage`, which answers a column index (-1 for none).
 */
export async function getColumnOfUsage(rat: RatZarr, usage: GdalUsage): Promise<string | undefined> {
  checkUsage(usage, `RAT "${rat.path}": getColumnOfUsage`);
  for (const [name, u] of await getColumnUsages(rat)) if (u === usage) return name;
  return undefined;
}

/** Set the RAT's table type (stored as its `GDAL_TABLE_TYPE` attribute). */
export async function setTableType(rat: RatZarr, tableType: GdalTableType): Promise<void> {
  if (!(GDAL_TABLE_TYPES as readonly unknown[]).includes(tableType)) throw new RatZarrError(`RAT "${rat.path}": ${showValue(tableType)} is not a GDAL table type (thematic or athematic)`);
  await (await rat.getRatAttributeMapping()).set(GDAL_ATTRIBUTES.tableType, tableType);
}

/** The RAT's table type: "thematic" when none is stored, as GDAL's default. */
export async function getTableType(rat: RatZarr): Promise<GdalTableType> {
  const m = await rat.getRatAttributeMapping();
  await m.refresh();
  const v = m.get(GDAL_ATTRIBUTES.tableType);
  if (v === undefined) return "thematic";
  if (v !== "thematic" && v !== "athematic") throw new RatZarrError(`RAT "${rat.path}": attribute ${GDAL_ATTRIBUTES.tableType} is ${showValue(v)}, not "thematic" or "athematic"`, { code: "metadata" });
  return v;
}

function checkBinning(row0Min: unknown, binSize: unknown, where: string): void {
  if (typeof row0Min !== "number" || !Number.isFinite(row0Min)) throw new RatZarrError(`${where}: Row0Min must be a finite number, got ${showValue(row0Min)}`);
  if (typeof binSize !== "number" || !Number.isFinite(binSize) || binSize <= 0) throw new RatZarrError(`${where}: BinSize must be a finite number above 0, got ${showValue(binSize)}`);
}

/** Set linear binning: row `i` holds pixel values from `row0Min + i * binSize`. `binSize` must be above 0. */
export async function setLinearBinning(rat: RatZarr, row0Min: number, binSize: number): Promise<void> {
  checkBinning(row0Min, binSize, `RAT "${rat.path}": linear binning`);
  const value: JsonValue = { Row0Min: row0Min, BinSize: binSize };
  await (await rat.getRatAttributeMapping()).set(GDAL_ATTRIBUTES.linearBinning, value);
}

/** Remove linear binning; returns whether there was any. */
export async function clearLinearBinning(rat: RatZarr): Promise<boolean> {
  return (await rat.getRatAttributeMapping()).delete(GDAL_ATTRIBUTES.linearBinning);
}

/** The RAT's linear binning, or undefined when it has none. */
export async function getLinearBinning(rat: RatZarr): Promise<LinearBinning | undefined> {
  const m = await rat.getRatAttributeMapping();
  await m.refresh();
  const v = m.get(GDAL_ATTRIBUTES.linearBinning);
  if (v === undefined) return undefined;
  const where = `RAT "${rat.path}": attribute ${GDAL_ATTRIBUTES.linearBinning}`;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new RatZarrError(`${where} is ${showValue(v)}, not {"Row0Min": number, "BinSize": number}`, { code: "metadata" });
  try {
    checkBinning(v["Row0Min"], v["BinSize"], where);
  } catch (e) {
    throw new RatZarrError((e as Error).message, { code: "metadata" });
  }
  return { row0Min: v["Row0Min"] as number, binSize: v["BinSize"] as number };
}

/** Options of `getRowOfValue`. */
export interface RowOfValueOptions {
  /** Rows read per block when scanning Min/Max columns (default: the Min column's chunk size). */
  readonly blockLen?: number;
}

const RANGE_TYPES: ReadonlySet<DataType> = new Set(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"]);

/**
 * The row that applies to pixel value `value`, or -1 when no row does (GDAL's `GetRowOfValue`):
 * - with linear binning, `floor((value - Row0Min) / BinSize)` when inside the row count: no reads;
 * - else the first row with `min <= value <= max`, where min is the column of usage Min (else
 *   MinMax) and max the column of usage Max (else MinMax); with only one of them, only that
 *   bound counts. Scanned in blocks, stopping at the first match;
 * - -1 with neither binning nor such columns, and for NaN.
 * A Min/Max column must be numeric and of width 1 (a `RatZarrError` names it otherwise).
 */
export async function getRowOfValue(rat: RatZarr, value: number, options: RowOfValueOptions = {}): Promise<number> {
  if (typeof value !== "number") throw new RatZarrError(`RAT "${rat.path}": getRowOfValue needs a number, got ${showValue(value)}`, { code: "type" });
  if (Number.isNaN(value)) return -1;
  const rows = rat.getRowCount();
  const binning = await getLinearBinning(rat);
  if (binning !== undefined) {
    const row = Math.floor((value - binning.row0Min) / binning.binSize);
    return row >= 0 && row < rows ? row : -1;
  }
  const usages = await getColumnUsages(rat);
  const first = (...wanted: GdalUsage[]): string | undefined => {
    for (const w of wanted) for (const [n, u] of usages) if (u === w) return n;
    return undefined;
  };
  const minCol = first("Min", "MinMax");
  const maxCol = first("Max", "MinMax");
  if (minCol === undefined && maxCol === undefined) return -1;
  for (const c of [minCol, maxCol]) {
    if (c === undefined) continue;
    const dtype = await rat.getColumnDtype(c);
    const width = await rat.getColumnWidth(c);
    if (!RANGE_TYPES.has(dtype) || width !== 1) throw new RatZarrError(`column "${c}" (usage ${usages.get(c)}): a Min/Max column must be numeric with width 1, it is ${dtype}${width === 1 ? "" : ` of width ${width}`}`, { code: "type" });
  }
  const blockLen = options.blockLen ?? (await rat.getColumnChunkSize((minCol ?? maxCol)!));
  if (!Number.isSafeInteger(blockLen) || blockLen < 1) throw new RatZarrError(`RAT "${rat.path}": getRowOfValue blockLen must be a positive integer, got ${showValue(blockLen)}`);
  const read = (c: string | undefined, start: number): Promise<ArrayFor<DataType> | undefined> => (c === undefined ? Promise.resolve(undefined) : rat.readBlock(c, start, blockLen));
  for (let start = 0; start < rows; start += blockLen) {
    // One read when Min and Max are the same (MinMax) column.
    const [lo, hi] = minCol === maxCol ? await read(minCol, start).then((b) => [b, b]) : await Promise.all([read(minCol, start), read(maxCol, start)]);
    const n = Math.min(blockLen, rows - start);
    for (let i = 0; i < n; i++) {
      if (lo !== undefined && !(Number((lo as ArrayLike<number | bigint>)[i]) <= value)) continue;
      if (hi !== undefined && !(value <= Number((hi as ArrayLike<number | bigint>)[i]))) continue;
      return start + i;
    }
  }
  return -1;
}
