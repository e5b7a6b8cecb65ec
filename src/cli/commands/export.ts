/**
 * `ratzarr export PATH -o FILE [--format csv|jsonl|parquet] [--columns a,b]
 * [--rows START:STOP]`: a RAT (or some of its columns and rows) to a file,
 * block by block (`tabular/blocks.ts`) so memory stays bounded whatever the
 * row count. FILE is written under a temporary name and renamed when
 * complete; `-o -` writes CSV or JSONL to standard output.
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import { RatZarrError } from "../../errors.js";
import { openRat } from "../open-rat.js";
import { toJsonLine } from "../json-output.js";
import { positionals, UsageError } from "../usage-error.js";
import { parseRows } from "./head.js";
import { ratBlocks } from "../tabular/blocks.js";
import type { TableColumn } from "../tabular/columns.js";
import { chooseFormat, formatNames, type TableFormat } from "../tabular/formats.js";
import type { RatZarr } from "../../node/index.js";
import { type ByteSink, FileOutput, textOutput } from "../tabular/output.js";

const usage = `ratzarr export PATH -o FILE [--format ${formatNames("sink").join("|")}] [--columns a,b] [--rows START:STOP] [--json]`;

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({
    args: [...ctx.argv],
    options: { output: { type: "string", short: "o" }, format: { type: "string" }, columns: { type: "string" }, rows: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [path] = positionals(given, 1, 1, usage) as [string];
  const target = values.output;
  if (target === undefined || target === "") throw new UsageError("missing -o FILE (or -o - for standard output)");
  const toStdout = target === "-";
  const format = chooseFormat(values.format ?? (toStdout ? "csv" : undefined), target, "sink");
  if (toStdout && !format.text) throw new UsageError(`-o - writes text formats only (csv, jsonl); ${format.name} needs a file`);
  if (format.exportRat !== undefined && values.rows !== undefined) throw new UsageError(`--rows: ${format.name} holds the whole table (row i is pixel value i); export every row`);
  const range = values.rows === undefined ? { start: 0, stop: undefined } : parseRows(values.rows);
  const asked = values.columns?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (asked?.length === 0) throw new UsageError("--columns needs at least one column name");
  if (asked !== undefined && new Set(asked).size !== asked.length) throw new UsageError(`--columns names a column twice: ${values.columns ?? ""}`);
  const began = performance.now();
  const rz = await openRat(path, ctx, { readOnly: true });
  try {
    if (format.exportRat !== undefined) return await exportWhole(rz, format.exportRat, { path, target, format: format.name, columns: asked, began }, ctx);
    const names = asked ?? (await rz.getColumnNames());
    const columns: TableColumn[] = [];
    for (const name of names) {
      const col = await rz.openColumn(name);
      columns.push({ name, dtype: col.dataType, width: col.rowSize });
    }
    if (columns.length === 0) throw new RatZarrError(`"${path}": the RAT has no columns, nothing to export`);
    const rowCount = rz.getRowCount();
    const start = Math.min(range.start, rowCount);
    const stop = Math.min(range.stop ?? rowCount, rowCount);
    const file = toStdout ? undefined : await FileOutput.create(target);
    const out: ByteSink = file ?? textOutput(ctx.out);
    const progress = ctx.progress({ label: "export", total: stop - start, unit: "rows" });
    try {
      const sink = format.sink!(columns, out);
      for await (const block of ratBlocks(rz, columns, start, stop, ctx.signal, format.blockRows)) {
        await sink.block(block);
        progress.update(block.start + block.rows - start, out.bytes);
      }
      await sink.finish();
      ctx.signal.throwIfAborted();
      await file?.commit();
    } catch (e) {
      await file?.abort();
      throw e;
    } finally {
      progress.stop();
    }
    const summary = { path, output: target, format: format.name, start, stop, rows: stop - start, columns: columns.length, bytes: out.bytes, seconds: Number(((performance.now() - began) / 1000).toFixed(3)) };
    // With -o - the data owns standard output: the summary goes to standard error.
    const say = toStdout ? ctx.err : ctx.out;
    if (ctx.json) say(toJsonLine(summary));
    else if (!toStdout) say(`${path}: ${summary.rows} rows, ${summary.columns} columns → ${target} (${format.name}, ${summary.bytes} bytes) in ${summary.seconds} s\n`);
    return 0;
  } finally {
    await rz.close();
  }
}

/** A format that writes the whole RAT itself (GDAL's `.aux.xml`): no --rows; columns as asked, in that order. */
async function exportWhole(rz: RatZarr, write: NonNullable<TableFormat["exportRat"]>, job: { path: string; target: string; format: string; columns: string[] | undefined; began: number }, ctx: CommandContext): Promise<number> {
  const file = job.target === "-" ? undefined : await FileOutput.create(job.target);
  const out: ByteSink = file ?? textOutput(ctx.out);
  let rows: number;
  try {
    rows = await write(rz, out, { columns: job.columns, signal: ctx.signal, warn: (m) => ctx.err(`ratzarr: warning: ${m}\n`) });
    ctx.signal.throwIfAborted();
    await file?.commit();
  } catch (e) {
    await file?.abort();
    throw e;
  }
  const summary = { path: job.path, output: job.target, format: job.format, start: 0, stop: rows, rows, columns: job.columns?.length ?? (await rz.getColumnNames()).length, bytes: out.bytes, seconds: Number(((performance.now() - job.began) / 1000).toFixed(3)) };
  const say = file === undefined ? ctx.err : ctx.out;
  if (ctx.json) say(toJsonLine(summary));
  else if (file !== undefined) say(`${job.path}: ${rows} rows → ${job.target} (${job.format}, ${summary.bytes} bytes) in ${summary.seconds} s\n`);
  return 0;
}

/** `ratzarr export`. */
export const exportCommand: Command = {
  name: "export",
  summary: "a RAT (or --columns, --rows of it) to CSV, JSON Lines, Parquet or GDAL's .aux.xml, streamed block by block",
  usage,
  example: `$ ratzarr export segments.zarr -o segments.parquet
segments.zarr: 4 rows, 4 columns → segments.parquet (parquet, 793 bytes) in 0.189 s
$ ratzarr export s3://bucket/segments.zarr -o - --rows 0:4
area,id,name,rgb[0],rgb[1],rgb[2]
12.5,9007199254740993,forest,34,139,34
0.25,2,"open water, lake",0,0,255
NaN,3,"the ""old"" quarry",128,128,128
7,4,,0,0,0

FILE's extension picks the format (.csv, .jsonl/.ndjson, .parquet/.pq) unless --format says;
-o - writes CSV (or --format jsonl) to standard output. FILE appears (or is replaced)
only when complete: it is written as FILE.tmp-XXXXXX and renamed.
CSV (RFC 4180, CRLF): a header row; a width-k column is k fields name[0]..name[k-1];
  64-bit integers exact; floats in shortest round-trip form, -0 kept; NaN, Infinity,
  -Infinity spelled so; bool as true/false; strings quoted when they hold , " CR or LF.
JSONL: one object per row; 64-bit integers as exact JSON numbers; NaN and infinities
  as the strings "NaN", "Infinity", "-Infinity"; a width-k column as an array.
Parquet: one row group per 100000 rows; bool BOOLEAN, int8/16/32 INT32 (INT_8, INT_16),
  uint8/16/32 INT32 (UINT_8..UINT_32), int64 INT64, uint64 INT64 (UINT_64), float32 FLOAT,
  float64 DOUBLE, string BYTE_ARRAY UTF8; all REQUIRED; width-k as name[0]..name[k-1].
gdal-aux (.aux.xml): GDAL's PAM file for a raster (export seg.zarr -o raster.tif.aux.xml:
  gdalinfo raster.tif shows the table): column usages, table type and linear binning
  kept; bool and 8-32-bit integers as Integer, floats Real, strings String; what GDAL
  cannot hold (64-bit integers beyond 32 bits, width > 1) is a warning on stderr.
--json: {"path","output","format","start","stop","rows","columns","bytes","seconds"}
  (on standard error with -o -).`,
  run,
};
