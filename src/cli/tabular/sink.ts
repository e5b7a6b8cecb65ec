/**
 * What an export format is: something that takes the blocks of a table in
 * order and writes them to a `ByteSink`, and a `finish` that writes what
 * comes after the last block (a Parquet footer; nothing for text).
 */
import type { TableBlock, TableColumn } from "./columns.js";
import type { ByteSink } from "./output.js";

/** A table being written, block after block. */
export interface TableSink {
  block(block: TableBlock): Promise<void>;
  finish(): Promise<void>;
}

/** Makes the sink of one format for `columns`, writing to `out`. */
export type SinkFactory = (columns: readonly TableColumn[], out: ByteSink) => TableSink;
