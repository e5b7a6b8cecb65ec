/**
 * `ratzarr import FILE -o PATH [--format csv|parquet] [--type name=TYPE,...]
 * [--chunk-size N] [--force]`: a table file to a new RAT at PATH (local,
 * file:// or s3://). The file is opened first (for CSV a full pass that
 * checks every row and infers the types), so a bad file fails before
 * anything is created; then the RAT is written a block of whole chunks at a
 * time, the row count growing with each block. On a failure or Ctrl-C the
 * half-made RAT is removed.
 */
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import { DEFAULT_CHUNK_SIZE, NodeError, RatZarr } from "../../node/index.js";
import { toJsonLine } from "../json-output.js";
import { formatTable } from "../table.js";
import { positionals, UsageError } from "../usage-error.js";
import { BLOCK_ROWS } from "../tabular/blocks.js";
import { chooseFormat, formatNames } from "../tabular/formats.js";
import { parseTypes } from "../tabular/types.js";
import type { TableSource } from "../tabular/source.js";

const usage = `ratzarr import FILE -o PATH [--format ${formatNames("source").join("|")}] [--type NAME=TYPE,...] [--chunk-size N] [--force] [--json]`;

/** A positive whole number of rows. */
function chunkSizeOption(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CHUNK_SIZE;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--chunk-size must be a positive whole number of rows, got "${text}"`);
  return n;
}

/** Write every block of `source` to the new RAT `rz`; the row count grows block by block. */
async function writeRows(rz: RatZarr, source: TableSource, blockRows: number, ctx: CommandContext, onBlock: (rows: number) => void): Promise<number> {
  for (const c of source.columns) await rz.createColumn(c.name, c.dtype, { width: c.width });
  let done = 0;
  // One block written while the next is read: parsing (this thread) overlaps compression (zstd workers) and I/O.
  let writing: Promise<unknown> = Promise.resolve();
  try {
    for await (const block of source.blocks(blockRows)) {
      await writing;
      ctx.signal.throwIfAborted();
      await rz.setRowCount(done + block.rows);
      const at = done;
      writing = Promise.all(source.columns.map((c, i) => rz.writeBlock(c.name, block.values[i]!, at)));
      done += block.rows;
      void writing.then(() => onBlock(at + block.rows), () => undefined);
    }
  } finally {
    await writing;
  }
  return done;
}

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({
    args: [...ctx.argv],
    options: {
      output: { type: "string", short: "o" },
      format: { type: "string" },
      type: { type: "string", multiple: true },
      "chunk-size": { type: "string" },
      force: { type: "boolean", short: "f" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file] = positionals(given, 1, 1, usage) as [string];
  const path = values.output;
  if (path === undefined || path === "") throw new UsageError("missing -o PATH (where the RAT is made)");
  const format = chooseFormat(values.format, file, "source");
  const types = parseTypes(values.type ?? []);
  const chunkSize = chunkSizeOption(values["chunk-size"]);
  const began = performance.now();
  const io = { signal: ctx.signal };

  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (format.importRat !== undefined && (values.type ?? []).length > 0) throw new UsageError(`--type: ${format.name} states each column's type itself`);
  let source: TableSource | undefined;
  if (format.source !== undefined) {
    const scan = ctx.progress({ label: "import: reading", total: size, unit: "bytes" });
    try {
      source = await format.source(file, { types, signal: ctx.signal, onScan: (_rows, bytes) => scan.update(bytes, bytes) });
    } finally {
      scan.stop();
    }
  }

  if (await RatZarr.exists(path, io)) {
    if (!(await RatZarr.isValidRatZarr(path, io))) throw new NodeError(path, "something that is not a RAT is here; not replaced", { code: "not-a-rat" });
    if (values.force !== true) throw new NodeError(path, "a RAT is already here (--force replaces it)", { code: "exists" });
    await RatZarr.delete(path, io);
  }
  const rz = await RatZarr.open(path, { create: true, signal: ctx.signal, onWarning: (m) => ctx.err(`ratzarr: warning: ${m}\n`), provenance: { argv: ["ratzarr", "import"] } });
  const progress = ctx.progress({ label: "import", total: source?.rowCount ?? 0, unit: "rows" });
  let rows: number;
  let columns: readonly { name: string; dtype: string; width: number }[];
  try {
    await rz.setChunkSize(chunkSize);
    if (source !== undefined) {
      // Blocks of whole chunks: every chunk is written once, never read back and rewritten.
      const blockRows = chunkSize * Math.max(1, Math.floor(BLOCK_ROWS / chunkSize));
      const total = source.rowCount;
      rows = await writeRows(rz, source, blockRows, ctx, (done) => progress.update(done, size * (done / Math.max(1, total))));
      columns = source.columns;
    } else {
      ({ rows, columns } = await format.importRat!(file, rz, { signal: ctx.signal, warn: (m) => ctx.err(`ratzarr: warning: ${m}\n`) }));
    }
    await rz.close();
  } catch (e) {
    await rz.close().catch(() => undefined);
    // The RAT is ours and unfinished: remove it (with a fresh signal, as Ctrl-C aborted ours).
    await RatZarr.delete(path).catch(() => undefined);
    throw e;
  } finally {
    progress.stop();
  }
  const summary = {
    path: file,
    output: path,
    format: format.name,
    rows,
    columns: columns.length,
    types: Object.fromEntries(columns.map((c) => [c.name, c.width === 1 ? c.dtype : `${c.dtype}[${c.width}]`])),
    chunkSize,
    bytes: size,
    seconds: Number(((performance.now() - began) / 1000).toFixed(3)),
  };
  if (ctx.json) ctx.out(toJsonLine(summary));
  else ctx.out(`${file}: ${rows} rows, ${summary.columns} columns → ${path} in ${summary.seconds} s\n${formatTable(["column", "type"], columns.map((c) => [c.name, c.width === 1 ? c.dtype : `${c.dtype}, width ${c.width}`]))}`);
  return 0;
}

/** `ratzarr import`. */
export const importCommand: Command = {
  name: "import",
  summary: "a CSV, Parquet or GDAL .aux.xml file to a new RAT, streamed block by block (types inferred or --type)",
  usage,
  example: `$ ratzarr import segments.csv -o s3://bucket/segments.zarr --type class=uint8
segments.csv: 250000 rows, 4 columns → s3://bucket/segments.zarr in 1.4 s
column  type
area    float64
class   uint8
name    string
rgb     int32, width 3

FILE's extension picks the format (.csv, .parquet/.pq) unless --format says. PATH must
not hold a RAT (--force replaces one; anything else there is never touched).
CSV: the first row names the columns; fields name[0]..name[k-1] make one column of width k.
  Two passes: the first checks every row (a ragged row is an error naming its line) and
  infers each column's type: all true/false → bool; all integers → int32, else int64,
  else uint64 when they fit; all numbers (NaN, Infinity, inf; an empty cell is NaN) →
  float64; otherwise string. --type NAME=TYPE (bool, int8..int64, uint8..uint64,
  float32, float64, string) overrides it; a cell that does not fit names line and column.
Parquet: the file's types (INT32/INT64 with their int/uint annotations, FLOAT, DOUBLE,
  BOOLEAN, BYTE_ARRAY as string); a null reads as NaN in a float column, else an error.
GDAL .aux.xml (gdal-aux): the first raster attribute table in the file, with its column
  usages, table type and linear binning; types as GDAL reads them (Integer int32, Real
  float64, String string; Red/Green/Blue/Alpha int32).
--chunk-size N: rows per chunk (default ${DEFAULT_CHUNK_SIZE}).
--json: {"path","output","format","rows","columns","types":{"area":"float64","rgb":"int32[3]"},
  "chunkSize","bytes","seconds"} (bytes: the size of FILE).`,
  run,
};
