/**
 * `ratzarr inspect PATH COLUMN [--chunk N]`, for auditors: a column's
 * `zarr.json` exactly as stored, then one stored chunk taken through the
 * codec chain one codec at a time (the library's own codecs, made by the
 * column's `CodecPipeline`, given the sizes the pipeline would give them),
 * with each step's sizes and header fields, then the first decoded rows.
 */
import { parseArgs } from "node:util";
import type { Command, CommandContext } from "../command.js";
import type { ChunkSpec, CodecMetadata, JsonObject } from "../../codecs/codec.js";
import { CodecPipeline, DEFAULT_MAX_DECODED_BYTES } from "../../codecs/pipeline.js";
import { allocate, type ChunkData } from "../../data-types.js";
import { elementCount } from "../../grid.js";
import { CodecError } from "../../errors.js";
import { metadataKey, parseChunkKey } from "../../format/keys.js";
import { NodeError, nodeRuntime } from "../../node/index.js";
import { openRat } from "../open-rat.js";
import { bytesHeader, type HeaderFields, vlenHeader } from "../codec-headers.js";
import { jsonRow, showRow } from "../cell.js";
import { toJsonLine } from "../json-output.js";
import { positionals, UsageError } from "../usage-error.js";

const usage = "ratzarr inspect PATH COLUMN [--chunk N] [--json]";
/** Rows of the chunk shown. */
const FIRST_ROWS = 10;

/** One codec of the chain, in decode order, as `--json` prints it. */
interface Step {
  codec: string;
  kind: "bytes_to_bytes" | "array_to_bytes" | "array_to_array";
  configuration: JsonObject;
  /** Bytes in (bytes→bytes, array→bytes). */
  inputBytes?: number;
  /** Bytes out (bytes→bytes). */
  outputBytes?: number;
  /** The size the pipeline expects out, when the metadata fixes it. */
  expectedBytes?: number | null;
  /** Elements out (array→bytes, array→array). */
  elements?: number;
  header?: HeaderFields;
  /** The statement of docs/FORMAT.md that says what this codec's bytes hold (section 6). */
  statement: string;
  error?: string;
}

/** The statement of docs/FORMAT.md on each codec's bytes; others are read-only codecs (F-6.9). */
const CODEC_STATEMENTS: Readonly<Record<string, string>> = { bytes: "F-6.2", "vlen-utf8": "F-6.3", zstd: "F-6.5", crc32c: "F-6.7", sharding_indexed: "F-6.8" };
/** The statement a failing decode breaks, where it is not the codec's own: what a reader must refuse (vlen-utf8) or accept (zstd). */
const FAILURE_STATEMENTS: Readonly<Record<string, string>> = { "vlen-utf8": "F-6.4", zstd: "F-6.6" };
const codecStatement = (codec: string): string => CODEC_STATEMENTS[codec] ?? "F-6.9";

/** What `inspect --json` prints. */
interface Report {
  path: string;
  column: string;
  metadataKey: string;
  zarrJson: string;
  chunk: { index: number; of: number; key: string; rows: [number, number]; stored: boolean; storedBytes: number | null } | null;
  fillValue: unknown;
  steps: Step[];
  values: { rows: { row: number; value: unknown }[]; chunkRows: number } | null;
  error: string | null;
  /** The statement of docs/FORMAT.md the failing step breaks, when one fails. */
  statement: string | null;
}

/** `--chunk` as a non-negative integer. */
function parseChunk(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`--chunk must be a chunk index along rows (0, 1, ...), got "${text}"`);
  return n;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals: given } = parseArgs({ args: [...ctx.argv], options: { chunk: { type: "string" } }, allowPositionals: true, strict: true });
  const [path, name] = positionals(given, 2, 2, usage) as [string, string];
  const asked = parseChunk(values.chunk);
  const rz = await openRat(path, ctx, { readOnly: true });
  try {
    const io = { signal: ctx.signal };
    const col = await rz.openColumn(name);
    const meta = col.metadata;
    const file = metadataKey(col.path);
    const stored = await rz.store.get(file, io);
    if (stored === undefined) throw new NodeError(col.path, `column "${name}": ${file} was removed while reading`, { code: "missing" });
    const chunkRows = meta.chunkShape[0] ?? 1;
    const gridRows = Math.ceil((meta.shape[0] ?? 0) / chunkRows);
    const rest = meta.shape.slice(1).map(() => 0);
    if (asked !== undefined && asked >= gridRows) throw new UsageError(`--chunk ${asked}: column "${name}" has ${gridRows} chunks along rows (${meta.shape[0] ?? 0} rows in chunks of ${chunkRows})`);

    let index = asked;
    if (index === undefined) {
      // The first stored chunk along rows: one listing of the column's folder.
      const prefix = `${col.path}/`;
      for await (const k of rz.store.list(prefix, io)) {
        const coords = parseChunkKey(meta.chunkKeyEncoding, k.slice(prefix.length), meta.shape.length);
        if (coords === undefined || coords.some((c, d) => d > 0 && c !== 0) || coords[0]! >= gridRows) continue;
        if (index === undefined || coords[0]! < index) index = coords[0]!;
      }
    }
    const report: Report = {
      path: rz.path, column: name, metadataKey: file, zarrJson: new TextDecoder().decode(stored),
      chunk: null, fillValue: meta.fillValue, steps: [], values: null, error: null, statement: null,
    };
    const rowWidth = elementCount(meta.chunkShape.slice(1));
    const bool = meta.dataType === "bool";
    const shown: string[] = [];
    const showValues = (data: ChunkData, start: number): void => {
      const rows = Math.min(FIRST_ROWS, chunkRows);
      report.values = { chunkRows, rows: Array.from({ length: rows }, (_, i) => ({ row: start + i, value: jsonRow(data, i, rowWidth, bool) })) };
      for (let i = 0; i < rows; i++) shown.push(showRow(data, i, rowWidth, bool));
    };

    if (index !== undefined) {
      const key = col.chunkKey([index, ...rest]);
      const start = index * chunkRows;
      const bytes = await rz.store.get(key, io);
      report.chunk = { index, of: gridRows, key, rows: [start, Math.min(start + chunkRows, meta.shape[0] ?? 0)], stored: bytes !== undefined, storedBytes: bytes?.byteLength ?? null };
      if (bytes === undefined) showValues(allocate(meta.dataType, Math.min(FIRST_ROWS, chunkRows) * rowWidth, meta.fillValue) as ChunkData, start);
      else {
        const data = await decodeSteps(meta.codecs, { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue }, file, key, bytes, report, ctx.signal);
        if (data !== undefined) showValues(data, start);
      }
    }
    ctx.out(ctx.json ? toJsonLine(report) : formatReport(report, shown));
    if (report.error !== null) ctx.err(`ratzarr: ${report.error} (${report.statement ?? "F-5.8"})\n`);
    return report.error === null ? 0 : 1;
  } finally {
    await rz.close();
  }
}

/**
 * Decode `bytes` one codec at a time, as `CodecPipeline.decode` does (same sizes and bounds),
 * recording each step in `report`; a failing step records its error and stops the walk.
 */
async function decodeSteps(codecs: readonly CodecMetadata[], spec: ChunkSpec, file: string, key: string, bytes: Uint8Array, report: Report, signal: AbortSignal): Promise<ChunkData | undefined> {
  const pipeline = await CodecPipeline.create(codecs, spec, file, { codecs: nodeRuntime().codecs });
  const { arrayToArray: a2a, arrayToBytes: a2b, bytesToBytes: b2b } = pipeline;
  // The pipeline keeps these private: recomputed the way CodecPipeline.create does.
  const specs: ChunkSpec[] = [spec];
  for (const c of a2a) specs.push(c.encodedSpec(specs[specs.length - 1]!));
  const sizes: (number | undefined)[] = [a2b.encodedSize(specs[specs.length - 1]!)];
  for (const c of b2b) sizes.push(c.encodedSize(sizes[sizes.length - 1]));
  // checkCodecOrder guarantees the metadata lists array→array, array→bytes, bytes→bytes in that order.
  const config = (i: number): JsonObject => codecs[i]?.configuration ?? {};
  const ctx = { key, signal };
  const fail = (step: Step, e: unknown): undefined => {
    step.error = messageOf(e);
    report.error = e instanceof CodecError ? e.message : `codec ${step.codec}, chunk "${key}": ${step.error}`;
    report.statement = FAILURE_STATEMENTS[step.codec] ?? step.statement;
    return undefined;
  };

  let b = bytes;
  for (let i = b2b.length - 1; i >= 0; i--) {
    const codec = b2b[i]!;
    const decodedSize = sizes[i];
    const step: Step = { codec: codec.name, kind: codec.kind, configuration: config(a2a.length + 1 + i), inputBytes: b.byteLength, expectedBytes: decodedSize ?? null, statement: codecStatement(codec.name) };
    report.steps.push(step);
    try {
      const header = bytesHeader(codec.name, b, key);
      if (header !== undefined) step.header = header;
      b = await codec.decode(b, { ...ctx, decodedSize, maxDecodedSize: decodedSize ?? DEFAULT_MAX_DECODED_BYTES });
    } catch (e) {
      return fail(step, e);
    }
    step.outputBytes = b.byteLength;
    if (decodedSize !== undefined && b.byteLength !== decodedSize) return fail(step, new Error(`decoded ${b.byteLength} bytes, expected ${decodedSize}`));
  }

  const a2bConfig = config(a2a.length);
  const step: Step = { codec: a2b.name, kind: a2b.kind, configuration: a2bConfig, inputBytes: b.byteLength, expectedBytes: sizes[0] ?? null, statement: codecStatement(a2b.name) };
  report.steps.push(step);
  if (a2b.name === "vlen-utf8") step.header = vlenHeader(b);
  else if (a2b.name === "bytes") step.header = { endian: typeof a2bConfig["endian"] === "string" ? a2bConfig["endian"] : "(none: 1-byte type)" };
  let arr: ChunkData;
  try {
    arr = await a2b.decode(b, specs[specs.length - 1]!, ctx);
  } catch (e) {
    return fail(step, e);
  }
  step.elements = arr.length;
  for (let i = a2a.length - 1; i >= 0; i--) {
    const codec = a2a[i]!;
    const s: Step = { codec: codec.name, kind: codec.kind, configuration: config(i), statement: codecStatement(codec.name) };
    report.steps.push(s);
    try {
      arr = await codec.decode(arr, specs[i]!, ctx);
    } catch (e) {
      return fail(s, e);
    }
    s.elements = arr.length;
  }
  return arr;
}

/** A header's fields as `name=value` pairs; lists (frames, members) one per line below. */
function showHeader(h: HeaderFields): string[] {
  const flat: string[] = [];
  const lists: string[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === "object") {
      (v as readonly HeaderFields[]).forEach((item, i) => lists.push(`     ${k.replace(/List$/, "")} ${i}: ${showHeader(item).join(" ")}`));
    } else flat.push(`${k}=${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`);
  }
  return [flat.join(" "), ...lists];
}

/** The report as text; `shown` holds the value rows as table text. */
function formatReport(r: Report, shown: readonly string[]): string {
  let text = `column ${JSON.stringify(r.column)} of ${r.path}\n${r.metadataKey} as stored (${new TextEncoder().encode(r.zarrJson).byteLength} bytes):\n${r.zarrJson}${r.zarrJson.endsWith("\n") ? "" : "\n"}\n`;
  const c = r.chunk;
  if (c === null) return text + `no chunk stored: every chunk reads as the fill value ${JSON.stringify(r.fillValue)}\n`;
  text += `chunk ${c.index} of ${c.of} along rows: ${c.key} (rows ${c.rows[0]} to ${c.rows[1]})\n`;
  if (!c.stored) text += `not stored: reads as the fill value ${toJsonLine(r.fillValue).trimEnd()}\n`;
  else {
    text += `stored ${c.storedBytes} bytes\ndecode:\n`;
    r.steps.forEach((s, i) => {
      const conf = Object.keys(s.configuration).length === 0 ? "" : ` ${toJsonLine(s.configuration).trimEnd()}`;
      const size = s.outputBytes !== undefined ? `${s.inputBytes} -> ${s.outputBytes} bytes`
        : s.inputBytes !== undefined ? `${s.inputBytes} bytes -> ${s.elements ?? "?"} elements`
        : `-> ${s.elements ?? "?"} elements`;
      text += `  ${i + 1}. ${s.codec}${conf}: ${size} (${s.statement})\n`;
      if (s.header !== undefined) text += showHeader(s.header).map((l) => (l.startsWith(" ") ? `${l}\n` : `     ${l}\n`)).join("");
      if (s.error !== undefined) text += `     FAILED: ${s.error} (breaks ${r.statement ?? s.statement})\n`;
    });
  }
  if (r.values !== null) {
    const rows = r.values.rows;
    const w = String(rows[rows.length - 1]?.row ?? 0).length;
    text += `first ${rows.length} of ${r.values.chunkRows} rows of the chunk:\n`;
    text += rows.map((x, i) => `  ${String(x.row).padStart(w)}  ${shown[i] ?? ""}\n`).join("");
  }
  return text;
}

/** `ratzarr inspect`. */
export const inspect: Command = {
  name: "inspect",
  summary: "one column for auditors: its zarr.json as stored, one chunk decoded codec by codec, its first values",
  usage,
  example: `$ ratzarr inspect segments.zarr area --chunk 1
column "area" of segments.zarr
RAT/area/zarr.json as stored (412 bytes):
{ ...the file, byte for byte... }

chunk 1 of 2 along rows: RAT/area/c/1 (rows 500 to 1000)
stored 1811 bytes
decode:
  1. zstd {"level":0,"checksum":false}: 1811 -> 4000 bytes (F-6.5)
     frames=1 skippableFrames=0 contentSize=4000
     frame 0: offset=0 size=1811 contentSize=4000 checksum=false window=4000 blocks=1 dictionaryId=0
  2. bytes {"endian":"little"}: 4000 bytes -> 500 elements (F-6.2)
     endian=little
first 10 of 500 rows of the chunk:
  500  12.5
  ...

Default chunk: the first stored one along rows. A chunk that is not stored reads as the
fill value. Headers: zstd frames (content size, checksum flag, window), gzip members
(ISIZE, CRC), blosc header fields, crc32c stored and computed checksums, vlen-utf8
element count and first lengths. Each step names the statement of docs/FORMAT.md on its
codec's bytes; a failing step names the one it breaks. Exit 1 when a codec fails (the steps
before it are shown).
--json: {"path","column","metadataKey","zarrJson" (the stored text),"chunk":{"index","of",
  "key","rows":[start,stop],"stored","storedBytes"}|null,"fillValue","steps":[{"codec","kind",
  "configuration","inputBytes","outputBytes","expectedBytes","elements","header","statement",
  "error"}] (decode order),"values":{"chunkRows","rows":[{"row","value"}]}|null,"error",
  "statement"}`,
  run,
};
