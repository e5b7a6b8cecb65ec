/**
 * The auditor's check of a stored RAT: every `zarr.json` parses and
 * validates, `ROWCOUNT` equals every column's first dimension, every stored
 * chunk is inside its grid and decodes to its exact size (crc32c checked
 * where present), modification logs are well formed, and nothing else is
 * stored: stray keys and, on local disk, the lock and temporary files that
 * crashed writers leave (verify-leftovers.ts). Node only (it walks a local
 * store's folder).
 *
 * It reports, it never repairs, and it never throws for a problem of the RAT:
 * only a failing store (a listing refused, an I/O error) or the caller's
 * signal make it reject.
 */
import type { Store, StoreOptions } from "../stores/store.js";
import { FileSystemStore } from "../stores/fs.js";
import { findLeftovers, type Leftover } from "./verify-leftovers.js";
import type { CodecRegistry } from "../codecs/registry.js";
import { CodecPipeline } from "../codecs/pipeline.js";
import type { JsonValue } from "../codecs/codec.js";
import { type ArrayMetadata, parseArrayMetadata, parseGroupMetadata } from "../format/metadata.js";
import { metadataKey, parseChunkKey } from "../format/keys.js";
import { RAT_GROUP, readIntAttribute } from "../rat/layout.js";
import { parseModificationLog } from "../rat/modification-log.js";
import { CodecError, MetadataError, RatZarrError, showValue } from "../errors.js";
import { elementCount } from "../grid.js";
import { mapLimit } from "../format/concurrency.js";
import { nodeRuntime } from "../node/index.js";

/** What kind of problem `verifyRat` found; each names one key. */
export type ProblemKind =
  | "metadata"
  | "rowcount"
  | "chunk-decode"
  | "chunk-size"
  | "checksum"
  | "orphan-chunk"
  | "stray-file"
  | "lock-file"
  | "temp-file"
  | "log-entry";

/**
 * The statement of docs/FORMAT.md each kind of problem breaks. A `metadata` problem breaks
 * F-3.8 (the file does not parse or validate) unless a finer one applies: F-2.1 (the root or
 * RAT group is missing), F-2.2 (a column's keys without its zarr.json), F-4.1 (ROWCOUNT or
 * CHUNKSIZE of a wrong type or range).
 */
export const PROBLEM_STATEMENTS: Readonly<Record<ProblemKind, string>> = {
  metadata: "F-3.8",
  rowcount: "F-4.3",
  "chunk-decode": "F-5.8",
  "chunk-size": "F-5.8",
  checksum: "F-6.7",
  "orphan-chunk": "F-5.8",
  "stray-file": "F-2.7",
  "lock-file": "F-2.8",
  "temp-file": "F-2.8",
  "log-entry": "F-4.9",
};

/** One thing wrong with a stored RAT: its kind, the store key at fault, a message with the numbers, and the numbers as fields. */
export interface Problem {
  readonly kind: ProblemKind;
  /** The store key (relative to the RAT's root) of the file at fault. */
  readonly key: string;
  readonly message: string;
  /** The id of the statement of docs/FORMAT.md the problem breaks ("F-5.8"). */
  readonly statement: string;
  /** The numbers of the message (sizes, rows, coordinates, ages in ms), for programs. */
  readonly numbers?: Readonly<Record<string, number>>;
}

/** How far `verifyRat` is: reported after the listing and after each chunk. */
export interface VerifyProgress {
  readonly columns: number;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly bytesRead: number;
}

/** Options of `verifyRat`; every field is optional. */
export interface VerifyOptions extends StoreOptions {
  /** Where codecs come from. Default: the Node runtime's (native zstd). */
  readonly codecs?: CodecRegistry | undefined;
  /** Bound on a decoded string chunk (default the library's, 1 GiB). */
  readonly maxDecodedBytes?: number | undefined;
  /** Chunks read and decoded at once (default: the store's preferred concurrency, else 4). */
  readonly concurrency?: number | undefined;
  /** Called after the listing and after each chunk checked. */
  readonly onProgress?: ((progress: VerifyProgress) => void) | undefined;
  /** The clock for the age of lock and temporary files (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

/** Chunks checked at once when the store states no preference. */
const DEFAULT_VERIFY_CONCURRENCY = 4;

const ROOT_META = metadataKey("");
const RAT_META = metadataKey(RAT_GROUP);

/** The stored keys under one column's folder: whether its `zarr.json` is there, and every other key (chunks, or strays). */
interface ColumnKeys {
  readonly name: string;
  readonly keys: string[];
  hasMeta: boolean;
}

/**
 * Check the RAT stored in `store` and resolve with every problem found (empty: nothing is wrong).
 * Problems come sorted by key. Chunks are read one at a time, so memory stays at about one decoded
 * chunk whatever the RAT's size; the listing of keys is kept whole.
 */
export async function verifyRat(store: Store, options: VerifyOptions = {}): Promise<Problem[]> {
  const problems: Problem[] = [];
  const io: StoreOptions = { signal: options.signal };
  const codecs = options.codecs ?? nodeRuntime().codecs;
  const keys: string[] = [];
  for await (const k of store.list("", io)) keys.push(k);
  keys.sort();

  // Sort every key into the root, the RAT group, a column, or nowhere.
  const columns = new Map<string, ColumnKeys>();
  for (const key of keys) {
    if (key === ROOT_META || key === RAT_META) continue;
    const parts = key.split("/");
    if (parts[0] !== RAT_GROUP || parts.length < 3) {
      problems.push({ kind: "stray-file", statement: PROBLEM_STATEMENTS["stray-file"], key, message: `not part of the RAT (neither a zarr.json of the root, the ${RAT_GROUP} group or a column, nor a column's chunk)` });
      continue;
    }
    const name = parts[1]!;
    let col = columns.get(name);
    if (col === undefined) columns.set(name, (col = { name, keys: [], hasMeta: false }));
    if (parts.length === 3 && parts[2] === "zarr.json") col.hasMeta = true;
    else col.keys.push(key);
  }

  await checkGroup(store, ROOT_META, keys.includes(ROOT_META), io, problems);
  const ratAttrs = await checkGroup(store, RAT_META, keys.includes(RAT_META), io, problems);
  let rowCount: number | undefined;
  if (ratAttrs !== undefined) {
    try {
      rowCount = readIntAttribute(ratAttrs, "ROWCOUNT", RAT_META, 0);
      readIntAttribute(ratAttrs, "CHUNKSIZE", RAT_META, 1);
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      problems.push({ kind: "metadata", statement: "F-4.1", key: RAT_META, message: messageOf(e, RAT_META) });
    }
  }

  // Parse every column's metadata first, so the chunk total is known before the slow part.
  const arrays: { col: ColumnKeys; meta: ArrayMetadata; pipeline: CodecPipeline }[] = [];
  let firstRows: { readonly name: string; readonly rows: number } | undefined;
  for (const col of columns.values()) {
    const file = `${RAT_GROUP}/${col.name}/zarr.json`;
    if (!col.hasMeta) {
      problems.push({ kind: "metadata", statement: "F-2.2", key: file, message: `missing: ${col.keys.length} stored keys under ${RAT_GROUP}/${col.name}/ belong to no array`, numbers: { keys: col.keys.length } });
      continue;
    }
    const bytes = await store.get(file, io);
    if (bytes === undefined) {
      problems.push({ kind: "metadata", statement: PROBLEM_STATEMENTS["metadata"], key: file, message: "listed but gone when read" });
      continue;
    }
    let meta: ArrayMetadata;
    let pipeline: CodecPipeline;
    try {
      meta = parseArrayMetadata(bytes, file, (codec) => codecs.kind(codec));
      pipeline = await CodecPipeline.create(meta.codecs, { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue }, file, { codecs, maxDecodedBytes: options.maxDecodedBytes });
    } catch (e) {
      if (!(e instanceof RatZarrError)) throw e;
      problems.push({ kind: "metadata", statement: PROBLEM_STATEMENTS["metadata"], key: file, message: messageOf(e, file) });
      continue;
    }
    const rows = meta.shape[0];
    if (rows === undefined) problems.push({ kind: "metadata", statement: "F-2.4", key: file, message: "a column must have at least one dimension, this array has none" });
    else if (rowCount !== undefined && rows !== rowCount) {
      problems.push({ kind: "rowcount", statement: PROBLEM_STATEMENTS["rowcount"], key: file, message: `column "${col.name}" has ${rows} rows, ROWCOUNT of ${RAT_META} is ${rowCount}`, numbers: { rows, rowCount } });
    } else if (ratAttrs !== undefined && ratAttrs["ROWCOUNT"] === undefined) {
      // No ROWCOUNT (Python ratzarr before 1.0.2): the row count is the first column's length, as RatZarr.open takes it.
      firstRows ??= { name: col.name, rows };
      if (rows !== firstRows.rows) {
        problems.push({ kind: "rowcount", statement: PROBLEM_STATEMENTS["rowcount"], key: file, message: `column "${col.name}" has ${rows} rows, the first column "${firstRows.name}" has ${firstRows.rows} (no ROWCOUNT in ${RAT_META})`, numbers: { rows, rowCount: firstRows.rows } });
      }
    }
    checkLog(meta.attributes["MODIFICATIONLOG"], file, problems);
    arrays.push({ col, meta, pipeline });
  }

  const chunksTotal = arrays.reduce((n, a) => n + a.col.keys.length, 0);
  const progress = { columns: columns.size, chunksDone: 0, chunksTotal, bytesRead: 0 };
  options.onProgress?.({ ...progress });
  // Several chunks in flight (an S3 round trip each); each is decoded whole, so memory is about `inFlight` decoded chunks.
  const inFlight = options.concurrency ?? store.preferredConcurrency ?? DEFAULT_VERIFY_CONCURRENCY;
  const jobs = arrays.flatMap(({ col, meta, pipeline }) => {
    const prefix = `${RAT_GROUP}/${col.name}/`;
    const grid = meta.shape.map((n, i) => Math.ceil(n / meta.chunkShape[i]!));
    const elements = elementCount(meta.chunkShape);
    return col.keys.map((key) => () => checkChunk(store, key, key.slice(prefix.length), meta, grid, elements, pipeline, io, progress));
  });
  await mapLimit(jobs, inFlight, async (job) => {
    const problem = await job();
    if (problem !== undefined) problems.push(problem);
    progress.chunksDone++;
    options.onProgress?.({ ...progress });
  });

  if (store instanceof FileSystemStore) {
    const found: Leftover[] = [];
    await findLeftovers(store.root, "", (options.now ?? Date.now)(), found, io);
    for (const f of found) problems.push({ kind: f.kind, statement: PROBLEM_STATEMENTS[f.kind], key: f.key, message: f.message, numbers: f.numbers });
  }
  // By key, so a report reads file by file; problems of one key keep the order they were found in.
  return problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Check the group `zarr.json` at `file` (`listed`: the listing has it); its attributes, or undefined when it is missing or broken. */
async function checkGroup(store: Store, file: string, listed: boolean, io: StoreOptions, problems: Problem[]) {
  const bytes = listed ? await store.get(file, io) : undefined;
  if (bytes === undefined) {
    problems.push({ kind: "metadata", statement: "F-2.1", key: file, message: "missing: a RAT needs a group here" });
    return undefined;
  }
  try {
    return parseGroupMetadata(bytes, file).attributes;
  } catch (e) {
    if (!(e instanceof MetadataError)) throw e;
    problems.push({ kind: "metadata", statement: e.key === "node_type" ? "F-2.1" : PROBLEM_STATEMENTS["metadata"], key: file, message: messageOf(e, file) });
    return undefined;
  }
}

/** Report each malformed entry of a column's MODIFICATIONLOG (the library's parser, one entry at a time so that every bad one is named). */
function checkLog(log: JsonValue | undefined, file: string, problems: Problem[]): void {
  if (log === undefined || log === null) return;
  if (!Array.isArray(log)) {
    problems.push({ kind: "log-entry", statement: PROBLEM_STATEMENTS["log-entry"], key: file, message: `MODIFICATIONLOG must be a list, found ${showValue(log)}` });
    return;
  }
  log.forEach((entry, i) => {
    let time: string;
    try {
      time = parseModificationLog([entry], file)[0]![0];
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      problems.push({ kind: "log-entry", statement: PROBLEM_STATEMENTS["log-entry"], key: file, message: `MODIFICATIONLOG entry ${i} of ${log.length} is not [time, user, [argv...]]: ${showValue(entry)}`, numbers: { entry: i, entries: log.length } });
      return;
    }
    if (Number.isNaN(Date.parse(time))) {
      problems.push({ kind: "log-entry", statement: PROBLEM_STATEMENTS["log-entry"], key: file, message: `MODIFICATIONLOG entry ${i} of ${log.length} has a time that is not an ISO 8601 time: ${showValue(time)}`, numbers: { entry: i, entries: log.length } });
    }
  });
}

/** The problem with one stored key of a column (`rel`: the key relative to the column), or undefined when it is a sound chunk. */
async function checkChunk(
  store: Store,
  key: string,
  rel: string,
  meta: ArrayMetadata,
  grid: readonly number[],
  elements: number,
  pipeline: CodecPipeline,
  io: StoreOptions,
  progress: { bytesRead: number },
): Promise<Problem | undefined> {
  const coords = parseChunkKey(meta.chunkKeyEncoding, rel, meta.shape.length);
  if (coords === undefined) {
    return { kind: "stray-file", statement: PROBLEM_STATEMENTS["stray-file"], key, message: `not a chunk key of this ${meta.shape.length}-d array (chunk key encoding "${meta.chunkKeyEncoding.name}", separator "${meta.chunkKeyEncoding.separator}")` };
  }
  const outside = coords.findIndex((c, i) => c >= grid[i]!);
  if (outside >= 0) {
    const c = coords[outside]!;
    const n = grid[outside]!;
    return { kind: "orphan-chunk", statement: PROBLEM_STATEMENTS["orphan-chunk"], key, message: `chunk [${coords.join(", ")}] is outside the chunk grid [${grid.join(", ")}] of shape [${meta.shape.join(", ")}]: index ${c} of dimension ${outside} passes its ${n} chunks`, numbers: { dimension: outside, index: c, chunks: n } };
  }
  const bytes = await store.get(key, io);
  if (bytes === undefined) return undefined; // removed since the listing: an absent chunk is fill value
  progress.bytesRead += bytes.byteLength;
  const fixed = pipeline.fixedEncodedSize;
  if (fixed !== undefined && bytes.byteLength !== fixed) {
    return { kind: "chunk-size", statement: PROBLEM_STATEMENTS["chunk-size"], key, message: `stored ${bytes.byteLength} bytes, the codecs make every chunk of shape [${meta.chunkShape.join(", ")}] exactly ${fixed}`, numbers: { stored: bytes.byteLength, expected: fixed } };
  }
  let decoded: { readonly length: number };
  try {
    decoded = await pipeline.decode(bytes, { key, signal: io.signal });
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const kind = e.codec === "crc32c" ? "checksum" : "chunk-decode";
    return { kind, statement: PROBLEM_STATEMENTS[kind], key, message: `${e.message} (${bytes.byteLength} bytes stored)`, numbers: { stored: bytes.byteLength } };
  }
  if (decoded.length !== elements) {
    return { kind: "chunk-size", statement: PROBLEM_STATEMENTS["chunk-size"], key, message: `decoded ${decoded.length} elements, a chunk of shape [${meta.chunkShape.join(", ")}] holds ${elements}`, numbers: { decoded: decoded.length, expected: elements } };
  }
  return undefined;
}

/** The message of a library error about `file`, without the file's name repeated at its start. */
function messageOf(e: RatZarrError, file: string): string {
  const m = e.message;
  return m.startsWith(`${file}: `) ? m.slice(file.length + 2) : m.startsWith(`${file} `) ? m.slice(file.length + 1) : m;
}

