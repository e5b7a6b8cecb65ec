/**
 * Fuzz campaign 3: random public API calls with hostile arguments. A RAT (10
 * rows in chunks of 4; columns of int32, float64 width 2, string, uint64,
 * bool, and an int32 "control" column) gets one to four calls of readBlock,
 * writeBlock, createColumn, deleteColumn, colExists, getColumnDtype/Width/
 * ChunkSize, getModificationLog, setRowCount, setChunkSize, the attribute
 * mappings (set, update, delete, get), open with hostile options, flush and
 * close, static exists/isValidRatZarr; arguments negative, NaN, Infinity,
 * 2^53 and 2^60, non-integers, strings where numbers go, bigints, objects
 * whose "toString" is data, symbols; column names empty, "..", "__x", "a/b",
 * with a lone surrogate or control characters, 100000 characters long;
 * blocks of every array type, wrong lengths, views at an offset; attribute
 * values nested 100000 deep, cyclic, bigints, NaN, functions.
 *
 * Pass: each call either throws a `RatZarrError`, or succeeds with an
 * argument it may accept and does what it says (the rows read have the
 * column's type and length; a written block reads back; a created column
 * exists with its type and width; a row count or chunk size set is the one
 * asked; an attribute set reads back). Afterwards the "control" column,
 * which no call names, reads exactly (its rows cut and regrown by
 * setRowCount read as fill). Runs on a worker thread (fuzz-harness.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fc from "fast-check";
import { isMainThread } from "node:worker_threads";
import { RatZarr, type RatZarrOptions } from "../../src/rat/rat-zarr.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { nodeNameProblem } from "../../src/format/names.js";
import { type ChunkData, DATA_TYPES, isArrayOf } from "../../src/data-types.js";
import { RatZarrError } from "../../src/errors.js";
import { campaignScale } from "../helpers/campaign.js";
import { type FuzzCampaign, runFuzzCampaign, unexpected, WrongResult } from "./fuzz-harness.js";

const ROWS = 10;
const CHUNK = 4;
const OPEN = { onWarning: () => undefined, provenance: { user: "fuzz", argv: ["fuzz"] } } as const;
const CONTROL = Int32Array.from({ length: ROWS }, (_, i) => 1000 + i * 7);
const COLUMNS: readonly { name: string; dtype: "int32" | "float64" | "string" | "uint64" | "bool"; width: number }[] = [
  { name: "i32", dtype: "int32", width: 1 },
  { name: "f64w2", dtype: "float64", width: 2 },
  { name: "s", dtype: "string", width: 1 },
  { name: "u64", dtype: "uint64", width: 1 },
  { name: "b", dtype: "bool", width: 1 },
];

// ---------------------------------------------------------------------------
// Hostile arguments. Values that fast-check cannot copy (cycles, proxies) are made fresh by a thunk.

/** An argument: a value, or a thunk that makes one (printed by its name). */
class Made {
  constructor(readonly label: string, readonly make: () => unknown) {}
  [fc.toStringMethod](): string {
    return `Made(${JSON.stringify(this.label)})`;
  }
}

/** Thrown by the caller's own code (a getter): passing it through is correct. */
class CallerError extends Error {
  override name = "CallerError";
}
const value = (v: unknown): unknown => (v instanceof Made ? v.make() : v);

const NUMBERS = [-1, -0, 0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 13, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e300, -1e300, 1.5, 0.1, NaN, Infinity, -Infinity, Number.MIN_VALUE];
const NOT_NUMBERS: unknown[] = ["1", "", null, undefined, true, 1n, -1n, 2n ** 64n, {}, [], [1], new Made("object with data toString", () => ({ toString: 1, valueOf: 2 })), new Made("symbol", () => Symbol("n"))];
const number: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 16 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NOT_NUMBERS) },
);

const NAMES: unknown[] = [
  "", ".", "..", "...", "__x", "_x", "a/b", "/", "a\\b", "\ud800", "x\udc00", "\udc00\ud800", "a\u0000b", "\n", "\u007f", "zarr.json", "RAT", "c", " ", " x ",
  "é", "🌍", "x".repeat(255), "x".repeat(256), new Made("100000 characters", () => "n".repeat(100_000)), "i32", "s", "f64w2", "u64", "b", "new", "missing",
  "constructor", "__proto__", "toString", "hasOwnProperty", "zarr.json.tmp", "a.b", "CON", "nul",
  1, null, undefined, 1n, {}, ["i32"], new Made("object with data toString", () => ({ toString: 1 })), new Made("symbol", () => Symbol("name")),
];
/** Column names; "control" is never one, so that column must come through untouched. */
const name: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COLUMNS.map((c) => c.name), "new") },
  { weight: 5, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).filter((s) => s !== "control") },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 6 }).filter((s) => s !== "control") },
);

const DTYPES: unknown[] = [...DATA_TYPES, "float16", "int128", "complex64", "", "Int32", "object", "|S10", 1, null, undefined, {}, new Made("symbol", () => Symbol("t")), 3n];

/** Blocks for writeBlock: every array type, good and bad lengths, views at an offset, non-arrays. */
const BLOCKS: Made[] = [
  ...["Int32Array", "Float64Array", "BigUint64Array", "Uint8Array", "Float32Array", "BigInt64Array", "Int8Array", "Uint16Array"].flatMap((t) =>
    [0, 1, 2, 3, 4, 5, 8, 10, 11, 20].map((n) => new Made(`${t}(${n})`, () => makeTyped(t, n, 0))),
  ),
  ...[2, 4, 10].map((n) => new Made(`Int32Array(${n}) view at offset 1`, () => makeTyped("Int32Array", n, 1))),
  ...[0, 1, 4, 10, 11].map((n) => new Made(`string[${n}]`, () => Array.from({ length: n }, (_, i) => ["", "é", "\ud800", "a\u0000", "x".repeat(20)][i % 5]!))),
  // Good for the first chunks, bad in the last: a refused write must not have stored the first ones.
  new Made("string[10] ending in a number", () => [...Array.from({ length: 9 }, (_, i) => `s${i}`), 5]),
  new Made("string[10] ending in a hole", () => new Array<string>(10).fill("h", 0, 9)),
  new Made("[1, 2]", () => [1, 2]),
  new Made("[null, 'a']", () => [null, "a"]),
  new Made("['a', undefined]", () => ["a", undefined]),
  new Made("sparse Array(10)", () => new Array(10)),
  new Made("sparse Array(2^32-1)", () => new Array(2 ** 32 - 1)),
  new Made("Uint8ClampedArray(10)", () => new Uint8ClampedArray(10)),
  new Made("DataView", () => new DataView(new ArrayBuffer(40))),
  new Made("ArrayBuffer", () => new ArrayBuffer(40)),
  new Made("string", () => "0123456789"),
  new Made("null", () => null),
  new Made("undefined", () => undefined),
  new Made("number", () => 5),
  new Made("object with length", () => ({ length: 10 })),
];

function makeTyped(type: string, n: number, offset: number): ArrayLike<unknown> {
  const C = (globalThis as unknown as Record<string, new (b: ArrayBuffer, o: number, n: number) => ArrayLike<unknown> & { [i: number]: unknown; BYTES_PER_ELEMENT: number }>)[type]!;
  const size = (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const a = new C(new ArrayBuffer((n + offset) * size), offset * size, n);
  for (let i = 0; i < n; i++) a[i] = type.startsWith("Big") ? BigInt(i * 3 + 1) : (i * 3 + 1) % 127;
  return a;
}

/** Attribute values: JSON, and what is not JSON. */
const ATTRIBUTE_VALUES: unknown[] = [
  1, -0, NaN, Infinity, 1.5, 2n ** 70n, -(2n ** 64n), "", "\ud800", "x", true, null, [], {}, [1, "a", null, [2.5]], { a: { b: [1] } },
  new Made("nested 999 deep", () => nest(999)),
  new Made("nested 1000 deep", () => nest(1000)),
  new Made("nested 5000 deep", () => nest(5000)),
  new Made("nested 100000 deep", () => nest(100_000)),
  new Made("cyclic", () => {
    const o: Record<string, unknown> = { a: 1 };
    o["self"] = o;
    return o;
  }),
  new Made("shared twice (not a cycle)", () => {
    const shared = { x: 1 };
    return [shared, shared];
  }),
  undefined, new Made("function", () => () => 1), new Made("symbol", () => Symbol("v")), new Made("Map", () => new Map([[1, 2]])), new Made("Date", () => new Date(0)),
  new Made("Float64Array", () => new Float64Array(2)), new Made("object with __proto__ key", () => JSON.parse('{"__proto__": {"polluted": 1}}') as unknown),
  new Made("null-prototype object", () => Object.assign(Object.create(null) as object, { a: 1 })),
  new Made("getter that throws", () => ({ get x(): never { throw new CallerError("the caller's getter"); } })),
  // eslint-disable-next-line no-sparse-arrays
  new Made("array with a hole", () => [1, , 3]),
  new Made("array holding undefined", () => [1, undefined]),
  new Made("class instance", () => new (class Thing { a = 1; })()),
];
const KEYS: unknown[] = ["note", "", "\ud800", "__proto__", "constructor", "ROWCOUNT", "CHUNKSIZE", "MODIFICATIONLOG", "x".repeat(10_000), "a\u0000b", 1, null, undefined, 1n, new Made("symbol", () => Symbol("k"))];

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const OPTION_KEYS = ["cacheBytes", "concurrency", "readAhead", "writeBehind", "maxDecodedBytes"] as const;

type Call =
  | { readonly op: "readBlock"; readonly name: unknown; readonly start: unknown; readonly len: unknown }
  | { readonly op: "writeBlock"; readonly name: unknown; readonly block: Made; readonly start: unknown }
  | { readonly op: "createColumn"; readonly name: unknown; readonly dtype: unknown; readonly options: unknown }
  | { readonly op: "deleteColumn" | "colExists" | "getColumnDtype" | "getColumnWidth" | "getColumnChunkSize" | "getModificationLog"; readonly name: unknown }
  | { readonly op: "setRowCount" | "setChunkSize"; readonly n: unknown }
  | { readonly op: "mapping"; readonly column: unknown; readonly action: "set" | "delete" | "get" | "update"; readonly key: unknown; readonly value: unknown }
  | { readonly op: "open"; readonly options: Record<string, unknown> }
  | { readonly op: "flush" | "close" | "static" };

const call: fc.Arbitrary<Call> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("readBlock" as const), name, start: number, len: number }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("writeBlock" as const), name, block: fc.constantFrom(...BLOCKS), start: number }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("createColumn" as const),
      name,
      dtype: fc.constantFrom(...DTYPES),
      options: fc.oneof(fc.constant(undefined), fc.constant(null), fc.record({ width: number }), fc.constant({})),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("deleteColumn" as const, "colExists" as const, "getColumnDtype" as const, "getColumnWidth" as const, "getColumnChunkSize" as const, "getModificationLog" as const), name }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("setRowCount" as const, "setChunkSize" as const), n: number }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("mapping" as const),
      column: fc.oneof(fc.constant(undefined), name, fc.constant("control")),
      action: fc.constantFrom("set" as const, "delete" as const, "get" as const, "update" as const),
      key: fc.constantFrom(...KEYS),
      value: fc.constantFrom(...ATTRIBUTE_VALUES),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("open" as const), options: fc.dictionary(fc.constantFrom(...OPTION_KEYS, "readOnly", "create", "signal"), number, { maxKeys: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("flush" as const, "close" as const, "static" as const) }) },
);

interface ApiCase {
  readonly calls: readonly Call[];
  readonly writeBehind: boolean;
}
const apiCase: fc.Arbitrary<ApiCase> = fc.record({ calls: fc.array(call, { minLength: 1, maxLength: 4 }), writeBehind: fc.boolean() });

// ---------------------------------------------------------------------------
// What a call may accept, and what it must then have done

const isCount = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;
const validName = (v: unknown): v is string => typeof v === "string" && nodeNameProblem(v) === undefined;

function show(v: unknown): string {
  if (v instanceof Made) return v.label;
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)) return "an object";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (show(a[i]) !== show(b[i])) return false;
  return true;
}

/** Deep equality for attribute values as stored (NaN equals NaN, -0 is 0, a hole in an array is null, as JSON has them). */
function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (typeof v === "number" && Object.is(v, -0) ? 0 : Array.isArray(v) ? Array.from(v, (x) => (x === undefined ? null : x)) : v);
  a = norm(a);
  b = norm(b);
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A case's model of the RAT: rows of the control column still holding their values. */
interface Model {
  rows: number;
  /** Rows of the control column below this hold their values; the rest read as fill. */
  kept: number;
}

class Calls {
  firstError: string | undefined;
  count = 0;

  /** Run a call; a RatZarrError is recorded and gives undefined, anything else fails the case. */
  async attempt<T>(what: string, f: () => Promise<T> | T): Promise<{ ok: true; value: T } | { ok: false }> {
    this.count++;
    try {
      return { ok: true, value: await f() };
    } catch (e) {
      if (e instanceof RatZarrError || e instanceof CallerError) {
        this.firstError ??= e.name;
        return { ok: false };
      }
      throw unexpected(what, e);
    }
  }
}

async function runCall(rz: RatZarr, store: MemoryStore, c: Call, model: Model, calls: Calls, handle: { closed: boolean }): Promise<void> {
  const what = `${c.op}(${"name" in c ? show(c.name) : ""})`;
  const columnOf = (n: unknown) => COLUMNS.find((x) => x.name === n);
  switch (c.op) {
    case "readBlock": {
      const [start, len] = [value(c.start), value(c.len)];
      const r = await calls.attempt(what, () => rz.readBlock(value(c.name) as string, start as number, len as number));
      if (!r.ok) return;
      if (handle.closed || !isCount(start, 0) || !isCount(len, 0)) throw new WrongResult(`${what} accepted start ${show(start)}, length ${show(len)}${handle.closed ? " on a closed handle" : ""}`);
      const col = await rz.getColumnDtype(value(c.name) as string).catch(() => undefined);
      const width = await rz.getColumnWidth(value(c.name) as string).catch(() => 1);
      const n = Math.max(0, Math.min(len, model.rows - start)) * width;
      if (col !== undefined && (!isArrayOf(col, r.value) || r.value.length !== n)) throw new WrongResult(`${what} rows ${start}+${len} gave ${r.value.constructor.name}(${r.value.length}), expected ${n} ${col} values`);
      return;
    }
    case "writeBlock": {
      const [block, start, n] = [c.block.make(), value(c.start), value(c.name)];
      // A refused write changes nothing: what the column held before.
      const before = handle.closed || typeof n !== "string" ? undefined : await rz.readBlock(n, 0, model.rows).catch(() => undefined);
      const r = await calls.attempt(what, () => rz.writeBlock(n as string, block as ChunkData, start as number));
      if (!r.ok) {
        const after = before === undefined ? undefined : await rz.readBlock(n as string, 0, model.rows).catch(() => undefined);
        if (before !== undefined && after !== undefined && !sameValues(before, after)) throw new WrongResult(`${what} of ${c.block.label} at ${show(start)} was refused, but changed the column: ${Array.from(before, show).join(",")} → ${Array.from(after, show).join(",")}`);
        return;
      }
      const col = columnOf(n) ?? (validName(n) ? { name: n, dtype: await rz.getColumnDtype(n).catch(() => undefined), width: await rz.getColumnWidth(n).catch(() => 1) } : undefined);
      if (handle.closed || col === undefined || col.dtype === undefined || !isCount(start, 0) || !isArrayOf(col.dtype, block)) throw new WrongResult(`${what} accepted block ${c.block.label} at ${show(start)}`);
      const rows = (block as ArrayLike<unknown>).length / col.width;
      if (!Number.isInteger(rows) || start + rows > model.rows) throw new WrongResult(`${what} accepted ${c.block.label} (${rows} rows) at ${start} of ${model.rows} rows`);
      if (!(await calls.attempt(`flush after ${what}`, () => rz.flush())).ok) return;
      const back = await calls.attempt(`read back after ${what}`, () => rz.readBlock(col.name, start, rows));
      // Strings are stored as UTF-8: a lone surrogate comes back as U+FFFD. A bool is 0 or 1.
      const expect = Array.isArray(block) ? block.map((s) => (typeof s === "string" ? s.toWellFormed() : s)) : col.dtype === "bool" ? Uint8Array.from(block as Uint8Array, (x) => (x ? 1 : 0)) : (block as ArrayLike<unknown>);
      if (back.ok && !sameValues(back.value, expect)) throw new WrongResult(`${what}: wrote ${Array.from(expect, show).join(",")}, read back ${Array.from(back.value, show).join(",")}`);
      return;
    }
    case "createColumn": {
      const [n, dtype, options] = [value(c.name), value(c.dtype), value(c.options)];
      const opts = options !== null && typeof options === "object" ? Object.fromEntries(Object.entries(options).map(([k, v]) => [k, value(v)])) : options;
      const r = await calls.attempt(what, () => rz.createColumn(n as string, dtype as "int32", opts as { width?: number }));
      if (!r.ok) return;
      const width = opts !== null && typeof opts === "object" && "width" in opts ? (opts as { width: unknown }).width : 1;
      if (handle.closed || !validName(n) || !DATA_TYPES.includes(dtype as never) || dtype === "float16" || !isCount(width ?? 1, 1)) {
        throw new WrongResult(`${what} accepted name ${show(n)}, type ${show(dtype)}, width ${show(width)}`);
      }
      if (!(await rz.colExists(n)) || (await rz.getColumnDtype(n)) !== dtype || (await rz.getColumnWidth(n)) !== (width ?? 1) || !(await rz.getColumnNames()).includes(n)) {
        throw new WrongResult(`${what}: the column is not there as asked`);
      }
      return;
    }
    case "setRowCount":
    case "setChunkSize": {
      const n = value(c.n);
      const r = await calls.attempt(what, () => (c.op === "setRowCount" ? rz.setRowCount(n as number) : rz.setChunkSize(n as number)));
      if (!r.ok) return;
      if (handle.closed || !isCount(n, c.op === "setRowCount" ? 0 : 1)) throw new WrongResult(`${c.op} accepted ${show(n)}`);
      if (c.op === "setRowCount") {
        if (rz.getRowCount() !== n) throw new WrongResult(`setRowCount(${n}) left ${rz.getRowCount()} rows`);
        model.rows = n;
        model.kept = Math.min(model.kept, n);
      } else if (rz.getRATChunkSize() !== n) throw new WrongResult(`setChunkSize(${n}) left ${rz.getRATChunkSize()}`);
      return;
    }
    case "mapping": {
      const column = value(c.column);
      const key = value(c.key);
      const v = value(c.value);
      const m = await calls.attempt(`mapping of ${show(column)}`, () => (column === undefined ? rz.getRatAttributeMapping() : rz.getColumnAttributeMapping(column as string)));
      if (!m.ok) return;
      const act = `mapping.${c.action}(${show(key)})`;
      if (c.action === "get") {
        await calls.attempt(act, () => [m.value.get(key as string), m.value.has(key as string), m.value.keys(), m.value.toJSON()]);
        return;
      }
      const r = await calls.attempt(act, async (): Promise<unknown> => (c.action === "set" ? m.value.set(key as string, v as never) : c.action === "update" ? m.value.update({ [key as string]: v } as never) : m.value.delete(key as string)));
      if (!r.ok || c.action === "delete" || typeof key !== "string") return;
      // Accepted: the value must be plain JSON (arrays, plain objects, numbers, bigints, strings, booleans, null).
      await m.value.refresh();
      const back = m.value.get(key as string);
      if (!sameJson(back, v)) throw new WrongResult(`${act} of ${c.value instanceof Made ? c.value.label : show(v)} accepted, reads back ${show(back)}`);
      return;
    }
    case "open": {
      const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, value(v)]));
      const r = await calls.attempt(`open(${Object.keys(options).join(", ")})`, () => RatZarr.open("fuzz", { store, ...OPEN, ...options } as RatZarrOptions));
      if (!r.ok) return;
      try {
        for (const k of OPTION_KEYS) {
          const o = options[k];
          if (o === undefined) continue;
          if (!isCount(o, k === "concurrency" || k === "maxDecodedBytes" ? 1 : 0)) throw new WrongResult(`open accepted option ${k}: ${show(o)}`);
        }
        const got = await calls.attempt("read control through the new handle", () => r.value.readBlock("control", 0, Math.min(model.rows, ROWS)));
        if (got.ok) checkControl(got.value, model);
      } finally {
        await r.value.close().catch((e: unknown) => {
          if (!(e instanceof RatZarrError)) throw e;
        });
      }
      return;
    }
    case "flush":
      await calls.attempt("flush", () => rz.flush());
      return;
    case "close":
      await calls.attempt("close", () => rz.close());
      handle.closed = true;
      return;
    case "static":
      await calls.attempt("exists", () => RatZarr.exists(store));
      await calls.attempt("isValidRatZarr", () => RatZarr.isValidRatZarr(store));
      return;
    default: {
      const n = value(c.name);
      const r = await calls.attempt(what, () => (rz[c.op] as (n: string) => Promise<unknown>).call(rz, n as string));
      if (!r.ok) return;
      if (c.op === "deleteColumn" && (!validName(n) || (await rz.colExists(n)))) throw new WrongResult(`${what} accepted ${show(n)}${validName(n) ? ", and the column is still there" : ""}`);
      if (c.op === "colExists" && r.value === true && !validName(n)) throw new WrongResult(`colExists(${show(n)}) is true`);
      if (c.op === "getColumnWidth" && !isCount(r.value, 1)) throw new WrongResult(`${what} gave ${show(r.value)}`);
    }
  }
}

function checkControl(got: ArrayLike<unknown>, model: Model): void {
  const n = Math.min(model.rows, ROWS);
  const expect = Array.from({ length: n }, (_, i) => (i < model.kept ? CONTROL[i]! : 0));
  if (!(got instanceof Int32Array) || !sameValues(got, expect)) throw new WrongResult(`the control column reads ${Array.from(got, show).join(",")}, expected ${expect.join(",")}`);
}

// ---------------------------------------------------------------------------
// The campaign

interface State {
  readonly base: ReadonlyMap<string, Uint8Array>;
}

async function buildRat(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const rz = await RatZarr.open("fuzz", { store, ...OPEN });
  await rz.setChunkSize(CHUNK);
  await rz.setRowCount(ROWS);
  await rz.createColumn("control", "int32");
  await rz.writeBlock("control", CONTROL, 0);
  for (const c of COLUMNS) await rz.createColumn(c.name, c.dtype, { width: c.width });
  await rz.close();
  return store;
}

async function runCase(state: State, k: ApiCase): Promise<string> {
  const store = new MemoryStore();
  for (const [key, v] of state.base) store.data.set(key, v);
  const model: Model = { rows: ROWS, kept: ROWS };
  const calls = new Calls();
  const handle = { closed: false };
  const rz = await RatZarr.open("fuzz", { store, ...OPEN, writeBehind: k.writeBehind ? 2 : 0 });
  try {
    for (const c of k.calls) await runCall(rz, store, c, model, calls, handle);
  } finally {
    await rz.close().catch((e: unknown) => {
      if (!(e instanceof RatZarrError)) throw e;
    });
  }
  // A fresh handle: what is stored.
  const check = await RatZarr.open("check", { store, readOnly: true, ...OPEN });
  if (check.getRowCount() !== model.rows) throw new WrongResult(`the RAT has ${check.getRowCount()} rows, expected ${model.rows}`);
  checkControl(await check.readBlock("control", 0, Math.min(model.rows, ROWS)), model);
  await check.close();
  return calls.firstError ?? "ok";
}

export const campaigns = {
  api: {
    async setup(): Promise<State> {
      return { base: new Map((await buildRat()).data) };
    },
    cases: apiCase,
    run: runCase,
    async control(state: State) {
      const rz = await RatZarr.open("control", { store: (() => {
        const s = new MemoryStore();
        for (const [key, v] of state.base) s.data.set(key, v);
        return s;
      })(), readOnly: true, ...OPEN });
      checkControl(await rz.readBlock("control", 0, ROWS), { rows: ROWS, kept: ROWS });
      await rz.close();
    },
  } satisfies FuzzCampaign<ApiCase, State>,
};

if (isMainThread) {
  test("fuzz: hostile public API arguments give a RatZarrError or correct behaviour, and the control column reads exactly", async () => {
    const result = await runFuzzCampaign({
      name: "fuzz-api",
      module: import.meta.url,
      campaign: "api",
      numRuns: 1500 * campaignScale(),
      caseTimeoutMs: 10_000,
      rssLimitBytes: 1.5 * 1024 ** 3,
    });
    if (result.failure !== undefined) assert.unreachable(result.failure);
  });
  test.run();
}
