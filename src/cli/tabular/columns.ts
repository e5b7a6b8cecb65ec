/**
 * The columns of a table as `export` writes them and `import` reads them,
 * whatever the file format: a RAT column (name, data type, width) and its
 * block of values, and the naming rule for width > 1 columns. A column of
 * width k is k file columns `name[0]` .. `name[k-1]`; on import a run of
 * headers `name[0]` .. `name[k-1]` (in order, complete) joins back into one
 * column of width k. Brackets are legal in a column name, so a RAT whose own
 * names end in `[0]` would not round-trip: the only price of flat files that
 * pandas, pyarrow and spreadsheets read as they are.
 */
import type { ArrayFor, DataType } from "../../data-types.js";
import { RatZarrError } from "../../errors.js";
import { nodeNameProblem } from "../../format/names.js";

/** One RAT column as a table has it. */
export interface TableColumn {
  readonly name: string;
  readonly dtype: DataType;
  readonly width: number;
}

/** Rows `start .. start + rows` of every column, in column order; each flat row-major. */
export interface TableBlock {
  readonly start: number;
  readonly rows: number;
  readonly values: readonly ArrayFor<DataType>[];
}

/** The file headers of a column: its name, or `name[0]` .. `name[width-1]`. */
export function headerNames(c: TableColumn): string[] {
  return c.width === 1 ? [c.name] : Array.from({ length: c.width }, (_, i) => `${c.name}[${i}]`);
}

/** A column of a file being imported: its name and width, and which file columns hold it, in order. */
export interface FileColumnGroup {
  readonly name: string;
  readonly width: number;
  readonly fields: readonly number[];
}

/** The file columns `headers` grouped into RAT columns (the `name[i]` rule above); a duplicate or invalid name is an error naming `file`. */
export function groupHeaders(headers: readonly string[], file: string): FileColumnGroup[] {
  const groups: FileColumnGroup[] = [];
  for (let i = 0; i < headers.length; ) {
    const base = /^(.*)\[0\]$/s.exec(headers[i]!)?.[1];
    let k = 1;
    if (base !== undefined && base !== "") while (headers[i + k] === `${base}[${k}]`) k++;
    // A lone `name[0]` is a column of width 1 that happens to end in "[0]".
    const fields = Array.from({ length: k }, (_, j) => i + j);
    groups.push(k > 1 ? { name: base!, width: k, fields } : { name: headers[i]!, width: 1, fields });
    i += k;
  }
  const seen = new Set<string>();
  for (const g of groups) {
    if (seen.has(g.name)) throw new RatZarrError(`${file}: column "${g.name}" appears twice in the header`);
    seen.add(g.name);
    const problem = nodeNameProblem(g.name);
    if (problem !== undefined) throw new RatZarrError(`${file}: column ${JSON.stringify(g.name)} cannot name a RAT column: ${problem}`);
  }
  return groups;
}
