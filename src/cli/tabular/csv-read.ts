/**
 * CSV in, streaming through `csv-parse` (RFC 4180: quoted fields with commas,
 * quotes and line breaks; a UTF-8 byte order mark skipped). The first row is
 * the header. Two passes over the file: the first checks every row's field
 * count (and every cell of a `--type` column) and infers the other columns'
 * types (`infer.ts`), so a ragged or badly typed file fails before anything
 * is created; the second turns the cells into typed arrays, one block at a
 * time. Records are counted, not located, as they stream (csv-parse's
 * per-record line info costs a quarter of the time): the line of a bad
 * record is found by reading the file again up to it.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { parse, type Info } from "csv-parse";
import { RatZarrError } from "../../errors.js";
import { groupHeaders } from "./columns.js";
import { blockArray, CellProblem, cellError, cellWriter, TypeGuess } from "./infer.js";
import type { ImportBlock, ImportColumn, SourceOptions, TableSource } from "./source.js";
import { checkTypeNames } from "./types.js";

/** A csv-parse failure (a quote not closed...) as a `RatZarrError` naming the file. */
function csvError(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("CSV_")) return e;
  return new RatZarrError(`${file}: ${(e as Error).message}`, { cause: e });
}

/** The records of `file` (header first), as many at a time as the parser has ready. */
async function* batches(file: string, signal: AbortSignal, onBytes?: (bytes: number) => void): AsyncGenerator<string[][]> {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const parser = parse({ bom: true, relax_column_count: true });
  let ended = false;
  const done = pipeline(input, parser, { signal }).finally(() => void (ended = true));
  done.catch(() => undefined);
  try {
    for (;;) {
      const batch: string[][] = [];
      for (let r: string[] | null; (r = parser.read() as string[] | null) !== null; ) batch.push(r);
      if (batch.length > 0) {
        onBytes?.(input.bytesRead);
        yield batch;
        continue;
      }
      if (ended || parser.readableEnded || parser.destroyed) break;
      await new Promise<void>((resolve) => {
        const go = (): void => {
          for (const e of ["readable", "end", "close", "error"]) parser.off(e, go);
          resolve();
        };
        for (const e of ["readable", "end", "close", "error"]) parser.once(e, go);
      });
    }
    await done;
  } catch (e) {
    signal.throwIfAborted();
    throw csvError(e, file);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** The line record `index` (0: the header) starts on: the one after the previous record's last line (csv-parse's line info, reading `file` again). */
async function lineOf(file: string, index: number): Promise<number> {
  if (index === 0) return 1;
  const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, info: true }));
  let k = 0;
  try {
    for await (const { info } of parser as AsyncIterable<{ info: Info }>) if (++k === index) return info.lines + 1;
  } finally {
    parser.destroy();
  }
  return -1;
}

/** A problem found at record `index` of `file`, as the error naming its line. */
async function atRecord(e: unknown, file: string, index: number, columnOfField: (f: number) => string, field: number): Promise<unknown> {
  if (e instanceof CellProblem) return cellError(e, file, `line ${await lineOf(file, index)}`, columnOfField(field));
  if (e instanceof FieldCount) return new RatZarrError(`${file} line ${await lineOf(file, index)}: ${e.got} field${e.got === 1 ? "" : "s"}, but the header has ${e.want}`);
  return e;
}

class FieldCount {
  constructor(readonly got: number, readonly want: number) {}
}

/** Every record after the header, with its index; a record of another length than the header is an error. */
async function* records(file: string, signal: AbortSignal, onBytes?: (bytes: number) => void): AsyncGenerator<{ header: string[]; batch: string[][]; first: number }> {
  let header: string[] | undefined;
  let index = 1;
  for await (const batch of batches(file, signal, onBytes)) {
    if (header === undefined) header = batch.shift()!;
    for (let i = 0; i < batch.length; i++) {
      if (batch[i]!.length !== header.length) throw await atRecord(new FieldCount(batch[i]!.length, header.length), file, index + i, () => "", 0);
    }
    yield { header, batch, first: index };
    index += batch.length;
  }
  if (header === undefined) throw new RatZarrError(`${file}: empty file (a CSV file needs a header row)`);
}

/** Open a CSV file: the first pass (header, field counts, types). */
export async function openCsv(file: string, options: SourceOptions): Promise<TableSource> {
  await stat(file).catch((e: unknown) => {
    throw new RatZarrError(`${file}: cannot read the file (${(e as Error).message})`, { cause: e, code: "missing" });
  });
  let groups: ReturnType<typeof groupHeaders> | undefined;
  let guesses: TypeGuess[] = [];
  let fieldSee: ((text: string) => void)[] = [];
  let groupOf: number[] = [];
  let rowCount = 0;
  for await (const { header, batch, first } of records(file, options.signal, (bytes) => options.onScan?.(rowCount, bytes))) {
    if (groups === undefined) {
      groups = groupHeaders(header, file);
      checkTypeNames(options.types, groups.map((g) => g.name), file);
      guesses = groups.map(() => new TypeGuess());
      groupOf = groups.flatMap((g, i) => g.fields.map(() => i));
      // Per field: what it tells the inference, or (given --type) a check that the cell fits.
      fieldSee = groups.flatMap((g, i) => g.fields.map(() => {
        const given = options.types.get(g.name);
        if (given === undefined) return (text: string) => guesses[i]!.see(text);
        const write = cellWriter(given);
        const scratch = blockArray(given, 1, 1);
        return (text: string) => write(scratch, 0, text);
      }));
    }
    let r = 0, f = 0;
    try {
      for (; r < batch.length; r++) for (f = 0; f < header.length; f++) fieldSee[f]!(batch[r]![f]!);
    } catch (e) {
      const named = groups;
      throw await atRecord(e, file, first + r, (k) => named[groupOf[k]!]!.name, f);
    }
    rowCount += batch.length;
  }
  // records() yields at least the header (an empty file is its error).
  const fields = groups!;
  const columns: ImportColumn[] = fields.map((g, i) => ({ name: g.name, width: g.width, dtype: options.types.get(g.name) ?? guesses[i]!.result() }));
  return { columns, rowCount, blocks: (blockRows) => secondPass(file, options.signal, columns, fields, rowCount, blockRows) };
}

/** The second pass: cells into typed arrays, `blockRows` rows at a time. */
async function* secondPass(file: string, signal: AbortSignal, columns: readonly ImportColumn[], groups: ReturnType<typeof groupHeaders>, rowCount: number, blockRows: number): AsyncGenerator<ImportBlock> {
  const writers = columns.map((c) => cellWriter(c.dtype));
  const fresh = (done: number) => columns.map((c) => blockArray(c.dtype, Math.min(blockRows, rowCount - done), c.width));
  let values = fresh(0);
  let rows = 0;
  let done = 0;
  for await (const { batch, first } of records(file, signal)) {
    if (done + rows + batch.length > rowCount) throw new RatZarrError(`${file}: the file grew while it was imported (past ${rowCount} rows)`);
    for (let r = 0; r < batch.length; r++) {
      const record = batch[r]!;
      let c = 0;
      try {
        for (; c < columns.length; c++) {
          const { width, fields } = groups[c]!;
          for (let j = 0; j < width; j++) writers[c]!(values[c]!, rows * width + j, record[fields[j]!]!);
        }
      } catch (e) {
        throw await atRecord(e, file, first + r, () => columns[c]!.name, 0);
      }
      if (++rows === blockRows) {
        yield { rows, values };
        done += rows;
        rows = 0;
        values = fresh(done);
      }
    }
  }
  if (rows > 0) yield { rows, values };
}
