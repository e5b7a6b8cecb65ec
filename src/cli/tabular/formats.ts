/**
 * The file formats `export` writes and `import` reads, in one table: a name
 * (`--format`), the file extensions that choose it by default, whether it is
 * text (so may go to standard output), and its writer and reader. GDAL's
 * `.aux.xml` (`gdal-aux`) is not a table of rows: its row has hooks that
 * take the whole RAT instead (`gdal-aux.ts`).
 */
import { csvSink } from "./csv-write.js";
import { openCsv } from "./csv-read.js";
import { jsonlSink } from "./jsonl.js";
import { parquetSink } from "./parquet-write.js";
import { openParquet } from "./parquet-read.js";
import type { SinkFactory } from "./sink.js";
import type { SourceFactory } from "./source.js";
import { UsageError } from "../usage-error.js";
import { exportGdalAux, importGdalAux } from "./gdal-aux.js";

/** One file format: its name, extensions, whether it is text, and what reads and writes it. */
export interface TableFormat {
  readonly name: string;
  readonly extensions: readonly string[];
  /** Text output: `-o -` may write it to standard output. */
  readonly text: boolean;
  /**
   * Rows per block when exporting. Text: 25000 (measured: the same CPU time as 100000 with half
   * the peak RSS, as a block's strings are garbage soon). Parquet: 100000, a block being a row group.
   */
  readonly blockRows: number;
  /** The writer, for formats `export` writes. */
  readonly sink?: SinkFactory;
  /** The reader, for formats `import` reads. */
  readonly source?: SourceFactory;
  /** A format that writes the whole RAT itself (GDAL's XML) instead of a `sink`. */
  readonly exportRat?: typeof exportGdalAux;
  /** A format that fills a new RAT itself instead of a `source`. */
  readonly importRat?: typeof importGdalAux;
}

/** Every format, in the order `--help` names them. */
export const FORMATS: readonly TableFormat[] = [
  { name: "csv", extensions: [".csv"], text: true, blockRows: 25_000, sink: csvSink, source: openCsv },
  { name: "jsonl", extensions: [".jsonl", ".ndjson"], text: true, blockRows: 25_000, sink: jsonlSink },
  { name: "parquet", extensions: [".parquet", ".parq", ".pq"], text: false, blockRows: 100_000, sink: parquetSink, source: openParquet },
  { name: "gdal-aux", extensions: [".aux.xml"], text: true, blockRows: 0, exportRat: exportGdalAux, importRat: importGdalAux },
];

/** The format can play `role`: a row sink or its own RAT writer; a row source or its own RAT reader. */
const can = (f: TableFormat, role: "sink" | "source"): boolean => (role === "sink" ? f.sink !== undefined || f.exportRat !== undefined : f.source !== undefined || f.importRat !== undefined);

/** The formats that can do `role`, by name. */
export function formatNames(role: "sink" | "source"): string[] {
  return FORMATS.filter((f) => can(f, role)).map((f) => f.name);
}

/** The format `--format` names, or else the one `file`'s extension names; a usage error when neither does. */
export function chooseFormat(given: string | undefined, file: string, role: "sink" | "source"): TableFormat {
  const usable = FORMATS.filter((f) => can(f, role));
  const names = usable.map((f) => f.name).join(", ");
  const found = given !== undefined
    ? usable.find((f) => f.name === given.toLowerCase())
    : usable.find((f) => f.extensions.some((e) => file.toLowerCase().endsWith(e)));
  if (found === undefined) {
    throw new UsageError(given !== undefined ? `--format ${given}: unknown format (one of ${names})` : `cannot tell the format of "${file}" from its extension: give --format (one of ${names})`);
  }
  return found;
}
