/**
 * Fuzz campaign 1: mutated `zarr.json` files. A RAT as this library writes
 * it (root group, RAT group, a column of every data type and one of width
 * 3, chunks of 4 rows over 10 rows, one all-fill chunk left unstored; an
 * attribute on the root group) gets
 * one of its `zarr.json` files mutated: values replaced by hostile ones
 * (wrong types, huge, negative, non-integer and NaN numbers, integers past
 * int64, long and unicode strings, lone surrogates, deep nesting, raw
 * numbers no JSON writer makes), keys removed or added, then the bytes
 * truncated, flipped, spliced or replaced. The RAT is then used through the
 * public API: `isValidRatZarr`, `open`, row count and chunk size, column
 * names, every column's type, width, chunk size and rows, the modification
 * log, both attribute mappings, and on a writable handle a block written
 * and read back, an attribute set and the row count changed.
 *
 * Pass: every call gives correct data or throws a `RatZarrError`. Correct
 * data: the column names are the stored ones; rows read through metadata
 * whose data-relevant fields (shape, data type, chunk grid, key encoding,
 * fill value, codecs) did not change are exactly the rows written; other
 * rows have the type and length that metadata says; a written block reads
 * back exactly. Never another error type, a hang, an unhandled rejection or
 * memory past the bound; afterwards a control RAT nobody touched reads
 * exactly. Runs on a worker thread (fuzz-harness.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fc from "fast-check";
import { isMainThread } from "node:worker_threads";
import { RatZarr, type ColumnDataType } from "../../src/rat/rat-zarr.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { ZarrGroup } from "../../src/format/group.js";
import { type JsonWritable, parseJson, stringifyJson } from "../../src/format/json.js";
import { type ArrayMetadata, parseArrayMetadata } from "../../src/format/metadata.js";
import type { JsonValue } from "../../src/codecs/codec.js";
import { type ChunkData, fillElement, isArrayOf } from "../../src/data-types.js";
import { RatZarrError } from "../../src/errors.js";
import { campaignScale } from "../helpers/campaign.js";
import { type FuzzCampaign, runFuzzCampaign, unexpected, WrongResult } from "./fuzz-harness.js";

const ROWS = 10;
const CHUNK = 4;
const OPEN = { onWarning: () => undefined, provenance: { user: "fuzz", argv: ["fuzz"] } } as const;

interface ColumnSpec {
  readonly name: string;
  readonly dtype: ColumnDataType;
  readonly width: number;
  /** Rows 4..7 (chunk 1) are all fill value, so that chunk is not stored. */
  readonly values: ChunkData;
}

const COLUMNS: readonly ColumnSpec[] = [
  { name: "b", dtype: "bool", width: 1, values: Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0, 1, 0]) },
  { name: "f32", dtype: "float32", width: 1, values: Float32Array.from([NaN, -0, Infinity, 1.5, 0, 0, 0, 0, -3.25, 1e-40]) },
  { name: "f64", dtype: "float64", width: 1, values: Float64Array.from([NaN, -0, 1e300, 5e-324, 0, 0, 0, 0, -Infinity, 0.1]) },
  { name: "i16", dtype: "int16", width: 1, values: Int16Array.from([-32768, 32767, 1, -1, 0, 0, 0, 0, 7, 8]) },
  { name: "i32", dtype: "int32", width: 1, values: Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 1, -1, 0, 0, 0, 0, 7, 8]) },
  { name: "i64", dtype: "int64", width: 1, values: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 1n, -1n, 0n, 0n, 0n, 0n, 2n ** 53n + 1n, 8n]) },
  { name: "i8", dtype: "int8", width: 1, values: Int8Array.from([-128, 127, 1, -1, 0, 0, 0, 0, 7, 8]) },
  { name: "s", dtype: "string", width: 1, values: ["", "héllo", "🌍", "a\u0000b", "", "", "", "", "x".repeat(50), "日本語"] },
  { name: "u16", dtype: "uint16", width: 1, values: Uint16Array.from([65535, 1, 2, 3, 0, 0, 0, 0, 9, 10]) },
  { name: "u32", dtype: "uint32", width: 1, values: Uint32Array.from([2 ** 32 - 1, 1, 2, 3, 0, 0, 0, 0, 9, 10]) },
  { name: "u64", dtype: "uint64", width: 1, values: BigUint64Array.from([2n ** 64n - 1n, 1n, 2n, 3n, 0n, 0n, 0n, 0n, 2n ** 60n, 10n]) },
  { name: "u8", dtype: "uint8", width: 1, values: Uint8Array.from([255, 1, 2, 3, 0, 0, 0, 0, 9, 10]) },
  { name: "w3", dtype: "uint16", width: 3, values: Uint16Array.from({ length: 3 * ROWS }, (_, i) => (i >= 12 && i < 24 ? 0 : i * 1000 + 1)) },
];
const NAMES = COLUMNS.map((c) => c.name).sort();

/** Write the RAT every case starts from. */
async function buildRat(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const rz = await RatZarr.open("fuzz", { store, ...OPEN });
  await rz.setChunkSize(CHUNK);
  await rz.setRowCount(ROWS);
  for (const c of COLUMNS) {
    await rz.createColumn(c.name, c.dtype, { width: c.width });
    await rz.writeBlock(c.name, c.values, 0);
  }
  await (await rz.getRatAttributeMapping()).update({ note: "fuzz", nested: { a: [1, 2.5, "x"], b: null } });
  await (await rz.getColumnAttributeMapping("i32")).set("units", "m");
  await rz.close();
  // An attribute on the root group: with none, a RAT whose RAT/zarr.json is broken looks like one
  // another process is creating, and open waits 0.75 s for it before refusing (rat-zarr.ts).
  await ZarrGroup.open(store, "").then((g) => g.updateAttributes(() => ({ fuzz: true })));
  return store;
}

// ---------------------------------------------------------------------------
// Values and comparisons

function show(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  return JSON.stringify(v);
}

/** Elements [0, n) of `actual` and `expected` are the same (NaN equals NaN, -0 differs from 0). */
function sameValues(actual: ChunkData, expected: ChunkData, n: number): boolean {
  if (actual.length !== n) return false;
  for (let i = 0; i < n; i++) if (show(actual[i]) !== show(expected[i])) return false;
  return true;
}

/** The fields of array metadata that decide what its rows read as. */
function dataSemantics(m: ArrayMetadata): string {
  return stringifyJson({
    shape: [...m.shape],
    dataType: m.dataType,
    chunkShape: [...m.chunkShape],
    keys: [m.chunkKeyEncoding.name, m.chunkKeyEncoding.separator],
    fill: show(fillElement(m.dataType, m.fillValue)),
    codecs: m.codecs.map((c) => ({ name: c.name, configuration: (c.configuration ?? null) as JsonWritable })),
  });
}

/** Rows [0, n) of a spec's values, `n` at most ROWS. */
function firstRows(c: ColumnSpec, n: number): ChunkData {
  return c.values.slice(0, n * c.width) as ChunkData;
}

// ---------------------------------------------------------------------------
// Mutations

/** Raw JSON text put in place of a value: what no writer makes (deep nesting, 1e999, duplicate keys...). */
class Raw {
  constructor(readonly text: string) {}
}
type Hostile = JsonWritable | Raw;

type Edit =
  | { readonly kind: "replace"; readonly at: number; readonly value: Hostile }
  | { readonly kind: "field"; readonly field: number; readonly value: Hostile }
  | { readonly kind: "remove"; readonly at: number }
  | { readonly kind: "add"; readonly at: number; readonly key: string; readonly value: Hostile };

type ByteEdit =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly byte: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "replace-all"; readonly bytes: Uint8Array };

interface MetaCase {
  /** Which zarr.json: root, RAT group, or a column's (index into `targets`, modulo). */
  readonly target: number;
  /** The column used in depth when the target is not a column's. */
  readonly column: number;
  readonly edits: readonly Edit[];
  readonly bytes: readonly ByteEdit[];
  readonly readOnly: boolean;
  readonly write: boolean;
  readonly resize: boolean;
}

const WORDS = [
  "", "array", "group", "bool", "int8", "int32", "int64", "uint64", "float16", "float32", "float64", "string", "complex64", "r16",
  "bytes", "zstd", "gzip", "blosc", "crc32c", "transpose", "sharding_indexed", "vlen-utf8", "vlen-bytes", "regular", "rectilinear",
  "default", "v2", "/", ".", "little", "big", "NaN", "Infinity", "-Infinity", "0x7fc00000", "0x3ff0000000000000", "0x3c00", "0x",
  "C", "F", "start", "end", "lz4", "noshuffle", "bitshuffle", "ROWCOUNT", "CHUNKSIZE", "MODIFICATIONLOG", "must_understand",
  "__proto__", "constructor", "toString", "\ud800", "\udc00x", "\u0000", "é🌍", "a/b", "..", "zarr.json",
];
const NUMBERS = [
  0, -0, 1, -1, 2, 3, 4, 5, 7, 10, 255, 256, 65535, 65536, 500000, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 53 - 1,
  2 ** 53, 2 ** 60, 1e15, 1e300, -1e300, 0.5, 1.5, -2.5, 3.0000001, NaN, Infinity, -Infinity, 5e-324,
];
const BIGINTS = [2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n), 10n ** 40n];
const DEPTHS = [998, 999, 1000, 1001, 5000, 100_000];
const RAW_TEXTS = [
  "1e999", "-1e999", "-0", "0e0", "1E+2", "123456789012345678901234567890", "-" + "9".repeat(500), "9".repeat(5000), "1.0", "2.5e-400",
  "0x10", "01", "+1", ".5", "-NaN", "nul", "tru", '"\\ud800"', '"\\udc00\\ud800"', '"\\u0000"', '"a\nb"', '"\\x"', "[1,]", '{"a":1,"a":2}',
  '{"__proto__": {"x": 1}}', '{"name": "bytes", "name": "zstd"}', "[[[[[[[[[[]]]]]]]]]]", '"' + "x".repeat(1_000_000) + '"', "", "[", "{", "}",
];

const scalar: fc.Arbitrary<JsonWritable> = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.integer(),
  fc.double(),
  fc.constantFrom(...BIGINTS),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.constantFrom("x".repeat(70_000), "é".repeat(20_000)),
  fc.boolean(),
  fc.constant(null),
);

const { hostileJson } = fc.letrec<{ hostileJson: JsonWritable }>((tie) => ({
  hostileJson: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("hostileJson"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 })), tie("hostileJson"), { maxKeys: 4, noNullPrototype: true }),
    // shaped like the fields that matter: shapes, codecs
    fc.array(fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...BIGINTS)), { minLength: 0, maxLength: 3 }),
    fc.record({ name: fc.constantFrom(...WORDS), configuration: tie("hostileJson") }),
  ),
}));

const raw: fc.Arbitrary<Raw> = fc.oneof(
  fc.constantFrom(...RAW_TEXTS),
  fc.constantFrom(...DEPTHS).map((d) => "[".repeat(d) + "]".repeat(d)),
  fc.constantFrom(...DEPTHS).map((d) => '{"a":'.repeat(d) + "0" + "}".repeat(d)),
  fc.constantFrom(...DEPTHS).map((d) => "[".repeat(d)),
).map((t) => new Raw(t));

/** Numbers where numbers go: single values and short lists (shapes). */
const numberish: fc.Arbitrary<JsonWritable> = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...BIGINTS),
  fc.array(fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...BIGINTS), fc.integer({ min: -2, max: 20 })), { minLength: 0, maxLength: 3 }),
);

/** The keys that matter, by path; a field edit sets one (when its parent is there) to a hostile value. */
const FIELDS: readonly (readonly (string | number)[])[] = [
  ["zarr_format"], ["node_type"], ["shape"], ["shape", 0], ["shape", 1], ["data_type"], ["chunk_grid"], ["chunk_grid", "name"],
  ["chunk_grid", "configuration"], ["chunk_grid", "configuration", "chunk_shape"], ["chunk_grid", "configuration", "chunk_shape", 0],
  ["chunk_grid", "configuration", "chunk_shape", 1], ["chunk_key_encoding", "name"], ["chunk_key_encoding", "configuration", "separator"],
  ["fill_value"], ["codecs"], ["codecs", 0], ["codecs", 0, "name"], ["codecs", 0, "configuration"], ["codecs", 0, "configuration", "endian"],
  ["codecs", 1], ["codecs", 1, "name"], ["codecs", 1, "configuration", "level"], ["codecs", 1, "configuration", "checksum"], ["codecs", 2],
  ["dimension_names"], ["storage_transformers"], ["consolidated_metadata"], ["attributes"], ["attributes", "ROWCOUNT"], ["attributes", "CHUNKSIZE"],
  ["attributes", "MODIFICATIONLOG"], ["attributes", "MODIFICATIONLOG", 0], ["attributes", "MODIFICATIONLOG", 0, 0], ["attributes", "MODIFICATIONLOG", 0, 2],
  ["attributes", "nested"], ["attributes", "units"],
];

const hostile: fc.Arbitrary<Hostile> = fc.oneof({ arbitrary: hostileJson, weight: 5 }, { arbitrary: raw, weight: 1 });

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: hostile }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("field" as const), field: fc.nat(FIELDS.length - 1), value: fc.oneof(hostile, numberish) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("add" as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 })), value: hostile }) },
);

const BAD_UTF8 = [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbb, 0xbf], [0x00], [0x22]];

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...BAD_UTF8).map((b) => Uint8Array.from(b))) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  { arbitrary: fc.record({ kind: fc.constant("replace-all" as const), bytes: fc.uint8Array({ maxLength: 64 }) }), weight: 1 },
);

const metaCase: fc.Arbitrary<MetaCase> = fc.record({
  target: fc.nat(),
  column: fc.nat(),
  edits: fc.array(edit, { minLength: 0, maxLength: 3 }),
  // Mostly structural edits alone, sometimes bytes on top.
  bytes: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(byteEdit, { minLength: 1, maxLength: 3 }), weight: 1 }),
  readOnly: fc.boolean(),
  write: fc.boolean(),
  resize: fc.boolean(),
}).filter((c) => c.edits.length + c.bytes.length > 0);

type Slot = { readonly parent: JsonValue[] | { [key: string]: JsonValue }; readonly key: string | number } | undefined;

/** Every value of `doc` with where it sits (undefined: the document itself), depth first. */
function slots(doc: JsonValue): { slot: Slot; value: JsonValue }[] {
  const out: { slot: Slot; value: JsonValue }[] = [{ slot: undefined, value: doc }];
  for (let i = 0; i < out.length && out.length < 10_000; i++) {
    const v = out[i]!.value;
    if (Array.isArray(v)) v.forEach((x, k) => out.push({ slot: { parent: v, key: k }, value: x }));
    else if (typeof v === "object" && v !== null) for (const k of Object.keys(v)) out.push({ slot: { parent: v, key: k }, value: v[k]! });
  }
  return out;
}

function setSlot(slot: NonNullable<Slot>, value: JsonValue): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else Object.defineProperty(slot.parent, slot.key, { value, enumerable: true, writable: true, configurable: true });
}

/** The bytes of `text` after the edits (a `Raw` value goes in as a marker string, replaced in the text). */
function mutate(original: Uint8Array, c: MetaCase): Uint8Array {
  let doc = parseJson(new TextDecoder().decode(original), "original");
  const raws: string[] = [];
  const place = (v: Hostile): JsonValue => {
    if (!(v instanceof Raw)) return structuredClone(v) as JsonValue;
    raws.push(v.text);
    return `\u0001RAW${raws.length - 1}\u0001`;
  };
  for (const e of c.edits) {
    const all = slots(doc);
    if (e.kind === "field") {
      const path = FIELDS[e.field]!;
      let parent: JsonValue | undefined = doc;
      for (const k of path.slice(0, -1)) parent = typeof parent === "object" && parent !== null ? (parent as Record<string, JsonValue>)[k] : undefined;
      if (typeof parent === "object" && parent !== null) setSlot({ parent: parent as JsonValue[] | { [key: string]: JsonValue }, key: path[path.length - 1]! }, place(e.value));
    } else if (e.kind === "replace") {
      const { slot } = all[e.at % all.length]!;
      if (slot === undefined) doc = place(e.value);
      else setSlot(slot, place(e.value));
    } else if (e.kind === "remove") {
      const inner = all.filter((s) => s.slot !== undefined);
      if (inner.length === 0) continue;
      const slot = inner[e.at % inner.length]!.slot!;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
    } else {
      const containers = all.filter((s) => typeof s.value === "object" && s.value !== null);
      if (containers.length === 0) continue;
      const target = containers[e.at % containers.length]!.value as JsonValue[] | { [key: string]: JsonValue };
      if (Array.isArray(target)) target.splice(e.at % (target.length + 1), 0, place(e.value));
      else setSlot({ parent: target, key: e.key }, place(e.value));
    }
  }
  let text = stringifyJson(doc);
  raws.forEach((r, i) => (text = text.split(`"\\u0001RAW${i}\\u0001"`).join(r)));
  let b = new TextEncoder().encode(text);
  for (const e of c.bytes) {
    const at = b.length === 0 ? 0 : ("at" in e ? e.at % (b.length + 1) : 0);
    if (e.kind === "truncate") b = b.slice(0, at);
    else if (e.kind === "flip" && at < b.length) b[at]! ^= 1 << e.bit;
    else if (e.kind === "set" && at < b.length) b[at] = e.byte;
    else if (e.kind === "insert") b = Uint8Array.from([...b.subarray(0, at), ...e.bytes, ...b.subarray(at)]);
    else if (e.kind === "delete") b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + e.length)]);
    else if (e.kind === "replace-all") b = e.bytes.slice();
  }
  return b;
}

// ---------------------------------------------------------------------------
// The campaign

interface State {
  readonly base: ReadonlyMap<string, Uint8Array>;
  readonly targets: readonly string[];
  readonly original: ReadonlyMap<string, ArrayMetadata>;
  readonly control: MemoryStore;
}

function cloneStore(data: ReadonlyMap<string, Uint8Array>): MemoryStore {
  const s = new MemoryStore();
  // Stored arrays are never changed in place (set replaces, get copies), so sharing them is safe.
  for (const [k, v] of data) s.data.set(k, v);
  return s;
}

/** Read every column of the RAT in `store` and compare exactly with what was written. */
async function checkControl(store: MemoryStore): Promise<void> {
  const rz = await RatZarr.open("control", { store, readOnly: true, ...OPEN });
  assert.equal(await rz.getColumnNames(), NAMES);
  for (const c of COLUMNS) {
    const data = await rz.readBlock(c.name, 0, ROWS);
    if (!isArrayOf(c.dtype, data) || !sameValues(data, c.values, ROWS * c.width)) throw new WrongResult(`control column "${c.name}" reads ${Array.from(data, show).join(",")}`);
  }
  await rz.close();
}

/** Runs the calls of one case; the first RatZarrError is the case's outcome, anything else fails it. */
class Calls {
  firstError: string | undefined;
  changed = false;

  async attempt<T>(what: string, f: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof RatZarrError)) throw unexpected(what, e);
      this.firstError ??= e.name;
      return undefined;
    }
  }
}

/** The column's metadata as now stored, or undefined when it does not parse. */
function storedMetadata(store: MemoryStore, name: string): ArrayMetadata | undefined {
  const bytes = store.data.get(`RAT/${name}/zarr.json`);
  try {
    return bytes === undefined ? undefined : parseArrayMetadata(bytes, "check");
  } catch {
    return undefined;
  }
}

async function runCase(state: State, c: MetaCase): Promise<string> {
  const store = cloneStore(state.base);
  const key = state.targets[c.target % state.targets.length]!;
  store.data.set(key, mutate(state.base.get(key)!, c));
  const targetColumn = key.startsWith("RAT/") && key !== "RAT/zarr.json" ? key.slice(4, -"/zarr.json".length) : NAMES[c.column % NAMES.length]!;
  const calls = new Calls();

  await calls.attempt("isValidRatZarr", () => RatZarr.isValidRatZarr(store));
  const rz = await calls.attempt("open", () => RatZarr.open("fuzz", { store, readOnly: c.readOnly, create: false, ...OPEN }));
  if (rz === undefined) return calls.firstError!;
  const rowCount = rz.getRowCount();
  rz.getRATChunkSize();
  const names = await calls.attempt("getColumnNames", () => rz.getColumnNames());
  if (names !== undefined && JSON.stringify(names) !== JSON.stringify(NAMES)) throw new WrongResult(`getColumnNames gave ${JSON.stringify(names)}`);

  for (const spec of COLUMNS) {
    const name = spec.name;
    const deep = name === targetColumn;
    const data = await calls.attempt(`readBlock(${name}, 0, ${rowCount})`, () => rz.readBlock(name, 0, rowCount));
    const part = deep ? await calls.attempt(`readBlock(${name}, 1, 5)`, () => rz.readBlock(name, 1, 5)) : undefined;
    if (deep) {
      await calls.attempt(`getColumnDtype(${name})`, () => rz.getColumnDtype(name));
      await calls.attempt(`getColumnWidth(${name})`, () => rz.getColumnWidth(name));
      await calls.attempt(`getColumnChunkSize(${name})`, () => rz.getColumnChunkSize(name));
      await calls.attempt(`getModificationLog(${name})`, () => rz.getModificationLog(name));
      await calls.attempt(`colExists(${name})`, () => rz.colExists(name));
      const m = await calls.attempt(`getColumnAttributeMapping(${name})`, () => rz.getColumnAttributeMapping(name));
      if (m !== undefined) m.keys().forEach((k) => m.get(k));
    }
    if (data === undefined && part === undefined) continue;
    const meta = storedMetadata(store, name);
    if (meta === undefined) throw new WrongResult(`column "${name}" read although its zarr.json does not parse`);
    const rowSize = meta.shape.slice(1).reduce((a, b) => a * b, 1);
    const same = dataSemantics(meta) === dataSemantics(state.original.get(name)!);
    if (!same) calls.changed = true;
    const check = (got: ChunkData, from: number, rows: number) => {
      const n = Math.max(0, Math.min(rows, (meta.shape[0] ?? 1) - from));
      if (!isArrayOf(meta.dataType, got) || got.length !== n * rowSize) throw new WrongResult(`column "${name}": rows ${from}+${rows} read as ${got.constructor.name}(${got.length}) for ${meta.dataType} shape [${meta.shape}]`);
      if (same && !sameValues(got, spec.values.slice(from * spec.width) as ChunkData, n * rowSize)) {
        throw new WrongResult(`column "${name}": rows ${from}+${rows} read ${Array.from(got, show).join(",")} through unchanged metadata`);
      }
    };
    if (data !== undefined) check(data, 0, rowCount);
    if (part !== undefined) check(part, 1, 5);
  }
  const ratMapping = await calls.attempt("getRatAttributeMapping", () => rz.getRatAttributeMapping());
  if (ratMapping !== undefined) ratMapping.keys().forEach((k) => ratMapping.get(k));

  if (!c.readOnly && c.write) {
    const spec = COLUMNS.find((s) => s.name === targetColumn)!;
    const rows = Math.min(ROWS, rowCount);
    const block = firstRows(spec, rows);
    const written = await calls.attempt(`writeBlock(${targetColumn})`, async () => (await rz.writeBlock(targetColumn, block, 0), true));
    if (written) {
      // A fresh handle: what was stored, not what this one cached.
      const back = await calls.attempt("read back", async () => {
        const r2 = await RatZarr.open("fuzz", { store, readOnly: true, ...OPEN });
        try {
          return await r2.readBlock(targetColumn, 0, rows);
        } finally {
          await r2.close();
        }
      });
      if (back !== undefined && !sameValues(back, block, block.length)) throw new WrongResult(`column "${targetColumn}": wrote ${Array.from(block, show).join(",")}, read back ${Array.from(back, show).join(",")}`);
    }
    const m = await calls.attempt(`getColumnAttributeMapping(${targetColumn})`, () => rz.getColumnAttributeMapping(targetColumn));
    if (m !== undefined) await calls.attempt("mapping.set", () => m.set("fuzzed", [1, "ü"]));
  }
  if (!c.readOnly && c.resize) {
    await calls.attempt("setRowCount", () => rz.setRowCount(ROWS + 3));
  }
  await calls.attempt("close", () => rz.close());
  return calls.firstError ?? (calls.changed ? "data (metadata changed)" : "data");
}

export const campaigns = {
  metadata: {
    async setup(): Promise<State> {
      const store = await buildRat();
      const targets = [...store.data.keys()].filter((k) => k.endsWith("zarr.json")).sort();
      const original = new Map(COLUMNS.map((c) => [c.name, parseArrayMetadata(store.data.get(`RAT/${c.name}/zarr.json`)!, "original")]));
      const control = await buildRat();
      return { base: new Map(store.data), targets, original, control };
    },
    cases: metaCase,
    run: runCase,
    control: (state: State) => checkControl(state.control),
  } satisfies FuzzCampaign<MetaCase, State>,
};

if (isMainThread) {
  test("fuzz: mutated zarr.json files give correct data or a RatZarrError, never a crash, hang or leak", async () => {
    const result = await runFuzzCampaign({
      name: "fuzz-metadata",
      module: import.meta.url,
      campaign: "metadata",
      numRuns: 600 * campaignScale(),
      caseTimeoutMs: 10_000,
      rssLimitBytes: 1.5 * 1024 ** 3,
    });
    if (result.failure !== undefined) assert.unreachable(result.failure);
  });
  test.run();
}
