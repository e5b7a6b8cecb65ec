/**
 * Value-level comparison of two RATs (`ratzarr diff`): row counts, column
 * sets, each common column's type and width, its values block by block
 * (chunk-aligned `readBlock` calls, so memory stays at a block of each side),
 * and the attributes of the RAT and of each column. Storage is not compared:
 * chunk sizes, codecs and the modification logs may differ between equal RATs.
 */
import type { RatZarr } from "../rat/rat-zarr.js";
import type { DataType } from "../data-types.js";
import type { JsonObject, JsonValue } from "../codecs/codec.js";
import { NodeError } from "../errors.js";

/** Attributes that are not compared: the row count (compared as such), the chunk size for new columns, the history. */
const RAT_KEYS_SKIPPED = new Set(["ROWCOUNT", "CHUNKSIZE"]);
const COLUMN_KEYS_SKIPPED = new Set(["MODIFICATIONLOG"]);

/** One attribute whose value differs (undefined: absent on that side). */
export interface AttributeDiff {
  readonly key: string;
  readonly a: JsonValue | undefined;
  readonly b: JsonValue | undefined;
}

/** One differing row of a column: its row number and its `width` values on each side (bool as true/false). */
export interface RowDiff {
  readonly row: number;
  readonly a: readonly unknown[];
  readonly b: readonly unknown[];
}

/** How one column differs; a column with none of these set is equal. */
export interface ColumnDiff {
  readonly name: string;
  /** Present in one RAT only. */
  readonly onlyIn?: "a" | "b";
  readonly dataType?: readonly [DataType, DataType];
  readonly width?: readonly [number, number];
  /** Rows (among the rows both have) whose values differ, and the first few of them. */
  readonly differingRows?: number;
  readonly firstRows?: readonly RowDiff[];
  readonly attributes?: readonly AttributeDiff[];
}

/** Everything `compareRats` found. */
export interface RatDiff {
  readonly rowCounts: readonly [number, number];
  readonly ratAttributes: readonly AttributeDiff[];
  /** Only the columns that differ, sorted by name. */
  readonly columns: readonly ColumnDiff[];
  /** The differing columns, plus one for a row count difference and one for RAT attributes that differ. */
  readonly differences: number;
}

/** Options of `compareRats`. */
export interface CompareOptions {
  /** Compare only these columns (each must exist in at least one RAT). */
  readonly columns?: readonly string[] | undefined;
  /** Differing rows shown per column (default 5). */
  readonly shownRows?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Equal as values: NaN equals NaN, -0 equals 0; bigint, string and boolean by identity. */
function sameElement(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

/** A JSON value as text with object keys sorted, for equality of attribute values. */
function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return "undefined";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(",")}]`;
  const o = v as JsonObject;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** The attributes that differ between `a` and `b`, by key, leaving out `skipped`. */
export function diffAttributes(a: JsonObject, b: JsonObject, skipped: ReadonlySet<string>): AttributeDiff[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !skipped.has(k)).sort();
  return keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).map((k) => ({ key: k, a: a[k], b: b[k] }));
}

/** Compare the values of column `name` over the rows both RATs have, one block of A's chunk size at a time. */
async function diffValues(a: RatZarr, b: RatZarr, name: string, width: number, bool: boolean, rows: number, shown: number, signal: AbortSignal | undefined) {
  const block = Math.max(1, await a.getColumnChunkSize(name));
  let differing = 0;
  const first: RowDiff[] = [];
  for (let start = 0; start < rows; start += block) {
    signal?.throwIfAborted();
    const n = Math.min(block, rows - start);
    const [va, vb] = await Promise.all([a.readBlock(name, start, n), b.readBlock(name, start, n)]) as [ArrayLike<unknown>, ArrayLike<unknown>];
    for (let r = 0; r < n; r++) {
      let same = true;
      for (let i = r * width; i < (r + 1) * width && same; i++) same = sameElement(va[i], vb[i]);
      if (same) continue;
      differing++;
      if (first.length < shown) {
        const slice = (v: ArrayLike<unknown>) => Array.from({ length: width }, (_, i) => (bool ? v[r * width + i] === 1 : v[r * width + i]));
        first.push({ row: start + r, a: slice(va), b: slice(vb) });
      }
    }
  }
  return { differing, first };
}

/** Compare two open RATs (see the file comment); reads every value of every compared column once. */
export async function compareRats(a: RatZarr, b: RatZarr, options: CompareOptions = {}): Promise<RatDiff> {
  const shown = options.shownRows ?? 5;
  const [namesA, namesB] = [await a.getColumnNames(), await b.getColumnNames()];
  const [setA, setB] = [new Set(namesA), new Set(namesB)];
  const names = options.columns !== undefined ? [...new Set(options.columns)].sort() : [...new Set([...namesA, ...namesB])].sort();
  for (const n of names) if (!setA.has(n) && !setB.has(n)) throw new NodeError(`RAT/${n}`, `no column "${n}" in either RAT`, { code: "missing" });
  const rowCounts = [a.getRowCount(), b.getRowCount()] as const;
  const rows = Math.min(...rowCounts);
  const ratAttributes = diffAttributes((await a.getRatAttributeMapping()).toJSON(), (await b.getRatAttributeMapping()).toJSON(), RAT_KEYS_SKIPPED);
  const columns: ColumnDiff[] = [];
  for (const name of names) {
    if (!setA.has(name) || !setB.has(name)) {
      columns.push({ name, onlyIn: setA.has(name) ? "a" : "b" });
      continue;
    }
    const [ca, cb] = [await a.openColumn(name), await b.openColumn(name)];
    const diff: { -readonly [K in keyof ColumnDiff]: ColumnDiff[K] } = { name };
    if (ca.dataType !== cb.dataType) diff.dataType = [ca.dataType, cb.dataType];
    if (ca.rowSize !== cb.rowSize) diff.width = [ca.rowSize, cb.rowSize];
    if (diff.dataType === undefined && diff.width === undefined) {
      const { differing, first } = await diffValues(a, b, name, ca.rowSize, ca.dataType === "bool", rows, shown, options.signal);
      if (differing > 0) Object.assign(diff, { differingRows: differing, firstRows: first });
    }
    const attributes = diffAttributes((await a.getColumnAttributeMapping(name)).toJSON(), (await b.getColumnAttributeMapping(name)).toJSON(), COLUMN_KEYS_SKIPPED);
    if (attributes.length > 0) diff.attributes = attributes;
    if (Object.keys(diff).length > 1) columns.push(diff);
  }
  const differences = columns.length + (rowCounts[0] !== rowCounts[1] ? 1 : 0) + (ratAttributes.length > 0 ? 1 : 0);
  return { rowCounts, ratAttributes, columns, differences };
}
