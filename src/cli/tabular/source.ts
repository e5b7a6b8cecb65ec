/**
 * What an import format is: a file opened as a table with known columns
 * (name, type, width) and row count, read back block by block as the typed
 * arrays `writeBlock` takes.
 */
import type { ArrayFor, DataType } from "../../data-types.js";
import type { ColumnDataType } from "../../rat/options.js";

/** One column of the RAT an import makes. */
export interface ImportColumn {
  readonly name: string;
  readonly dtype: ColumnDataType;
  readonly width: number;
}

/** `rows` rows of every column, in column order, each flat row-major. */
export interface ImportBlock {
  readonly rows: number;
  readonly values: readonly ArrayFor<DataType>[];
}

/** A file opened for import. */
export interface TableSource {
  readonly columns: readonly ImportColumn[];
  readonly rowCount: number;
  /** The rows, `blockRows` at a time (the last block shorter). */
  blocks(blockRows: number): AsyncIterable<ImportBlock>;
}

/** What opening a file for import takes. */
export interface SourceOptions {
  /** `--type`: the type of these columns, instead of the file's or the inferred one. */
  readonly types: ReadonlyMap<string, ColumnDataType>;
  readonly signal: AbortSignal;
  /** While a first pass reads the file (CSV type inference): rows and bytes so far. */
  onScan?(rows: number, bytes: number): void;
}

/** Opens `file` as a table. */
export type SourceFactory = (file: string, options: SourceOptions) => Promise<TableSource>;
