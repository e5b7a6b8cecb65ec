/**
 * Randomized differential conformance: a seeded generator of RAT scenarios
 * (lists of operations), a runner that plays one through ratzarr, through
 * the Python helper (what Python ratzarr 1.0.2 does on zarr-python), or
 * alternating between them, an in-memory model of the RAT each scenario
 * should leave behind, a reader of what each side then sees, and a
 * shrinker that cuts a failing scenario down to a small one to replay.
 *
 * Stale rows after a shrink (FORMAT.md, Resize): the model stores each
 * column chunk by chunk, exactly as both engines do, and follows whoever
 * resized. ratzarr resets the cut-off tail of the edge chunk on a shrink;
 * zarr-python leaves it, so after a Python shrink and any later grow the
 * old values come back and the model expects them. Both engines also write
 * a chunk whose in-bounds rows a block covers entirely without reading it
 * (its tail past the end becomes fill again), and read-modify-write every
 * other chunk (tail kept): the model does the same. Every row is compared.
 *
 * Modification logs: one entry per column per handle on the first write.
 * After deleteColumn, ratzarr forgets that the handle wrote the column (a
 * re-created column gets an entry on its next write); Python ratzarr 1.0.2
 * keeps the name in `modifiedCols`, so a column re-created and written by
 * the same Python handle gets none. The model follows each side.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RatZarr, type ColumnDataType } from "../../src/node/index.js";
import type { JsonObject, JsonValue } from "../../src/codecs/codec.js";
import { stringifyJson, type JsonWritable } from "../../src/format/json.js";
import type { PyRat, PythonHelper } from "./python.js";
import { fromJsonValues, toJsonValues } from "./values.js";

export type Side = "ts" | "py";
export type Direction = "ts→py" | "py→ts" | "mixed";
export const DIRECTIONS: readonly Direction[] = ["ts→py", "py→ts", "mixed"];
export const COLUMN_TYPES: readonly ColumnDataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];
const DEFAULT_CHUNK = 500000;
const USERS: Record<Side, string> = { ts: "ts", py: "py" };

export type Op =
  | { op: "open" }
  | { op: "reopen" }
  | { op: "setChunkSize"; n: number }
  | { op: "setRowCount"; n: number }
  | { op: "createColumn"; name: string; dtype: ColumnDataType; width: number }
  | { op: "writeBlock"; name: string; start: number; values: JsonValue[] }
  | { op: "deleteColumn"; name: string }
  | { op: "setRatAttribute"; key: string; value: JsonValue }
  | { op: "setColumnAttribute"; name: string; key: string; value: JsonValue };

/** One scenario: `ops[0]` is always `open`; `mixedStart` is the side that opens first in the mixed direction. */
export interface Scenario {
  readonly seed: number;
  readonly mixedStart: Side;
  readonly ops: readonly Op[];
}

// ---------------------------------------------------------------- PRNG

/** mulberry32: small, fast, good enough to pick test cases. */
export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }
  u64(): bigint {
    return (BigInt(this.int(0, 2 ** 32 - 1)) << 32n) | BigInt(this.int(0, 2 ** 32 - 1));
  }
  /** One key of `weights` chosen in proportion to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let x = this.float() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) if ((x -= w) < 0) return k;
    return entries.find(([, w]) => w > 0)![0];
  }
}

// ---------------------------------------------------------------- values

const INT_RANGE: Partial<Record<ColumnDataType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 2 ** 32 - 1],
};
const BIG_RANGE: Partial<Record<ColumnDataType, [bigint, bigint]>> = { int64: [-(2n ** 63n), 2n ** 63n - 1n], uint64: [0n, 2n ** 64n - 1n] };
const NON_FINITE = [NaN, -0, Infinity, -Infinity];
const F32_MAX = 3.4028234663852886e38;
const SPECIAL_F32 = [NaN, Infinity, -Infinity, -0, 0, Math.fround(2 ** -149), Math.fround(1.1754943508222875e-38), F32_MAX, -F32_MAX, 1.5];
const SPECIAL_F64 = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1];
const WORDS = ["", "a", "héllo", "日本語", "🌍 emoji", "tab\there", 'quote"', "back\\slash", "new\nline", "nul\u0000mid", "0", " ", "Ω≈ç√∫", "x".repeat(300), "é".repeat(257), "🌍".repeat(120)];

/** The value a missing chunk reads as. */
export function fillOf(dt: ColumnDataType): JsonValue {
  return dt === "bool" ? false : dt === "string" ? "" : dt === "int64" || dt === "uint64" ? 0n : 0;
}

function randomCodePoint(r: Rng): number {
  switch (r.int(0, 4)) {
    case 0: return r.int(0x20, 0x7e);
    case 1: return r.int(0xa0, 0x24f);
    case 2: return r.pick([r.int(0x400, 0x4ff), r.int(0x4e00, 0x9fff), r.int(0xac00, 0xd7a3)]);
    case 3: return r.int(0xe000, 0xfffd);
    default: return r.pick([r.int(0x1f300, 0x1faff), r.int(0x10000, 0x10ffff), r.int(1, 0x1f)]);
  }
}

function randomString(r: Rng): string {
  if (r.chance(0.6)) return r.pick(WORDS);
  if (r.chance(0.6)) return String.fromCodePoint(...Array.from({ length: r.int(0, 40) }, () => randomCodePoint(r)));
  return Array.from({ length: r.int(100, 400) }, () => String.fromCharCode(r.int(0x20, 0x7e))).join("");
}

/** One random value of `dt`, as JSON (bool as boolean, 64-bit as bigint), edge values often. */
export function randomValue(r: Rng, dt: ColumnDataType): JsonValue {
  switch (dt) {
    case "bool": return r.chance(0.5);
    case "string": return randomString(r);
    case "float32": return r.chance(0.2) ? r.pick(NON_FINITE) : r.chance(0.2) ? r.pick(SPECIAL_F32) : Math.fround((r.float() - 0.5) * 10 ** r.int(-8, 36));
    case "float64": return r.chance(0.2) ? r.pick(NON_FINITE) : r.chance(0.2) ? r.pick(SPECIAL_F64) : (r.float() - 0.5) * 10 ** r.int(-300, 300);
    case "int64": case "uint64": {
      const [lo, hi] = BIG_RANGE[dt]!;
      if (r.chance(0.3)) return r.pick([lo, hi, 0n, dt === "int64" ? -1n : 1n, 2n ** 53n + 1n]);
      if (r.chance(0.3)) return BigInt(r.int(dt === "int64" ? -1000 : 0, 1000));
      return dt === "int64" ? r.u64() - 2n ** 63n : r.u64();
    }
    default: {
      const [lo, hi] = INT_RANGE[dt]!;
      return r.chance(0.25) ? r.pick([lo, hi, 0, lo < 0 ? -1 : 1]) : r.int(lo, hi);
    }
  }
}

/** True when `v` is a value of `dt` as this harness writes it. */
export function fits(dt: ColumnDataType, v: JsonValue): boolean {
  switch (dt) {
    case "bool": return typeof v === "boolean";
    case "string": return typeof v === "string";
    case "float32": return typeof v === "number" && (Number.isNaN(v) || Object.is(Math.fround(v), v));
    case "float64": return typeof v === "number";
    case "int64": case "uint64": return typeof v === "bigint" && v >= BIG_RANGE[dt]![0] && v <= BIG_RANGE[dt]![1];
    default: return typeof v === "number" && Number.isInteger(v) && v >= INT_RANGE[dt]![0] && v <= INT_RANGE[dt]![1];
  }
}

/** A comparable key for one element: NaN equals NaN, -0 is apart from 0, 64-bit and bool in any JSON spelling. */
export function valueKey(dt: string, v: JsonValue | undefined): string {
  if (v === undefined) return "(missing)";
  switch (dt) {
    case "string": return typeof v === "string" ? JSON.stringify(v) : `(not a string: ${String(v)})`;
    case "bool": return v === true || v === 1 ? "true" : v === false || v === 0 ? "false" : `(not a bool: ${String(v)})`;
    case "int64": case "uint64": return typeof v === "number" || typeof v === "bigint" ? `${BigInt(v)}n` : `(not an integer: ${String(v)})`;
    default: return typeof v === "number" ? (Object.is(v, -0) ? "-0" : String(v)) : `(not a number: ${String(v)})`;
  }
}

/** Attributes as one comparable string: keys sorted, NaN and -0 kept, whole numbers and bigints alike. */
export function canonical(v: JsonValue | undefined): string {
  if (v === undefined) return "(missing)";
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return canonicalEntries(Object.keys(v).map((k) => [k, v[k]]));
}

function canonicalEntries(entries: readonly (readonly [string, JsonValue | undefined])[]): string {
  return `{${[...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
}

/** Ops as one line of JSON (NaN, Infinity, -0.0 and bigints as Python writes them). */
export function opsToJson(ops: readonly Op[]): string {
  return stringifyJson(ops as unknown as JsonWritable, 0).replace(/\n/g, "");
}

// ---------------------------------------------------------------- generator

const COLUMN_NAMES = ["c0", "c1", "c2", "area", "naïve", "列", "x y", "Z"];
const ATTR_KEYS = ["title", "scale", "n", "nested", "héllo", "🌍", "list", "flag", "nothing", "big", "", "k.with.dots", "a/b", "1", "__proto__", "constructor"];

function randomAttrValue(r: Rng, depth = 0): JsonValue {
  switch (r.int(0, depth >= 2 ? 5 : 7)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.int(-1_000_000, 1_000_000);
    case 3: return r.chance(0.4) ? r.pick([NaN, Infinity, -Infinity, -0, 1e300, 5e-324, 0.5]) : r.int(-1e6, 1e6) + r.pick([0.25, 0.5, 0.125, 0.1]);
    case 4: return r.pick([2n ** 53n + 1n, -(2n ** 60n) - 7n, 2n ** 64n - 1n, 2n ** 70n]);
    case 5: return randomString(r);
    case 6: return Array.from({ length: r.int(0, 3) }, () => randomAttrValue(r, depth + 1));
    default: {
      const o: JsonObject = {};
      for (let i = r.int(0, 3); i > 0; i--) Object.defineProperty(o, r.pick(ATTR_KEYS), { value: randomAttrValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
      return o;
    }
  }
}

/** What the generator and the validity check track. */
interface Shape {
  rows: number;
  chunk: number;
  /** Row counts set before (growing back to one after a shrink brings stale rows into view). */
  pastRows: number[];
  /** Names deleted before (re-creating one tests what the modification log remembers). */
  deleted: string[];
  cols: Map<string, { dtype: ColumnDataType; width: number; chunk: number }>;
}

function pickRowCount(r: Rng, s: Shape): number {
  const chunks = [...s.cols.values()].map((c) => c.chunk).filter((c) => c < DEFAULT_CHUNK);
  const c = r.pick(chunks.length > 0 ? chunks : [s.chunk < DEFAULT_CHUNK ? s.chunk : 10]);
  const last = s.pastRows[s.pastRows.length - 1]!;
  // After a shrink, often grow again: rows cut off by zarr-python come back (FORMAT.md, Resize).
  if (last > s.rows && r.chance(0.5)) return r.chance(0.5) ? last : r.int(s.rows + 1, Math.min(120, last + c));
  const n = r.pick([0, 1, c - 1, c, c + 1, 2 * c - 1, 2 * c, 2 * c + 1, 3 * c + 2, r.int(0, 4 * c + 3), s.rows - r.int(1, 3), s.rows + r.int(1, 5), r.int(0, 40), r.pick(s.pastRows), r.pick(s.pastRows)]);
  return Math.max(0, Math.min(n, 120));
}

function pickBlock(r: Rng, rows: number, chunk: number): [start: number, len: number] {
  if (rows === 0 || r.chance(0.03)) {
    const start = r.int(0, rows);
    return [start, 0];
  }
  switch (r.int(0, 5)) {
    case 0: { // aligned, whole chunks (the last block may be shorter)
      const start = r.int(0, Math.floor((rows - 1) / chunk)) * chunk;
      return [start, Math.min(rows - start, r.int(1, 3) * chunk)];
    }
    case 1: return r.chance(0.5) ? [0, rows] : [Math.floor((rows - 1) / chunk) * chunk, rows - Math.floor((rows - 1) / chunk) * chunk];
    case 2: { const start = r.int(0, rows - 1); return [start, rows - start]; }
    case 3: return [r.int(0, rows - 1), 1];
    default: { const start = r.int(0, rows - 1); return [start, r.int(1, rows - start)]; }
  }
}

/** The scenario of `seed`: the same seed always gives the same scenario. */
export function generateScenario(seed: number): Scenario {
  const r = new Rng(seed);
  const ops: Op[] = [{ op: "open" }];
  const s: Shape = { rows: 0, chunk: DEFAULT_CHUNK, pastRows: [0], deleted: [], cols: new Map() };
  const add = (op: Op) => {
    ops.push(op);
    applyShape(s, op);
  };
  if (r.chance(0.9)) add({ op: "setChunkSize", n: r.chance(0.5) ? r.int(1, 5) : r.int(1, 17) });
  for (let i = r.int(6, 28); i > 0; i--) {
    const free = COLUMN_NAMES.filter((n) => !s.cols.has(n));
    const names = [...s.cols.keys()];
    const kind = r.weighted({
      setRowCount: s.rows === 0 ? 5 : 3,
      createColumn: free.length === 0 ? 0 : s.cols.size < 3 ? 4 : 0.7,
      writeBlock: names.length > 0 ? 7 : 0,
      deleteColumn: names.length > 0 ? 0.7 : 0,
      setChunkSize: 0.5,
      setRatAttribute: 0.7,
      setColumnAttribute: names.length > 0 ? 0.7 : 0,
      reopen: 1.5,
    });
    switch (kind) {
      case "setRowCount": add({ op: "setRowCount", n: pickRowCount(r, s) }); break;
      case "createColumn": {
        const again = free.filter((n) => s.deleted.includes(n));
        add({ op: "createColumn", name: again.length > 0 && r.chance(0.6) ? r.pick(again) : r.pick(free), dtype: r.pick(COLUMN_TYPES), width: r.chance(0.6) ? 1 : r.int(2, 4) });
        break;
      }
      case "writeBlock": {
        const name = r.pick(names);
        const col = s.cols.get(name)!;
        const [start, len] = pickBlock(r, s.rows, col.chunk);
        const allFill = r.chance(0.1);
        const values = Array.from({ length: len * col.width }, () => (allFill ? fillOf(col.dtype) : randomValue(r, col.dtype)));
        add({ op: "writeBlock", name, start, values });
        break;
      }
      case "deleteColumn": {
        const name = r.pick(names);
        add({ op: "deleteColumn", name });
        // Replacing a column (delete, create again) is common; the log must say what happened.
        if (r.chance(0.4)) add({ op: "createColumn", name, dtype: r.pick(COLUMN_TYPES), width: r.chance(0.6) ? 1 : r.int(2, 4) });
        break;
      }
      case "setChunkSize": add({ op: "setChunkSize", n: r.int(1, 17) }); break;
      case "setRatAttribute": add({ op: "setRatAttribute", key: r.pick(ATTR_KEYS), value: randomAttrValue(r) }); break;
      case "setColumnAttribute": add({ op: "setColumnAttribute", name: r.pick(names), key: r.pick(ATTR_KEYS), value: randomAttrValue(r) }); break;
      case "reopen": add({ op: "reopen" }); break;
    }
  }
  return { seed, mixedStart: seed % 2 === 0 ? "ts" : "py", ops };
}

/** Apply `op` to the tracked shape; returns false when the op is not valid there. */
function applyShape(s: Shape, op: Op): boolean {
  switch (op.op) {
    case "open": case "reopen": case "setRatAttribute": return true;
    case "setChunkSize": if (op.n < 1) return false; s.chunk = op.n; return true;
    case "setRowCount": if (op.n < 0) return false; s.pastRows.push(s.rows); s.rows = op.n; return true;
    case "createColumn":
      if (s.cols.has(op.name)) return false;
      s.cols.set(op.name, { dtype: op.dtype, width: op.width, chunk: s.chunk });
      return true;
    case "deleteColumn": s.deleted.push(op.name); return s.cols.delete(op.name);
    case "setColumnAttribute": return s.cols.has(op.name);
    case "writeBlock": {
      const col = s.cols.get(op.name);
      if (col === undefined || op.values.length % col.width !== 0) return false;
      return op.start + op.values.length / col.width <= s.rows && op.values.every((v) => fits(col.dtype, v));
    }
  }
}

/** True when every op is valid where it stands (the shrinker only keeps valid scenarios). */
export function isValid(ops: readonly Op[]): boolean {
  const s: Shape = { rows: 0, chunk: DEFAULT_CHUNK, pastRows: [0], deleted: [], cols: new Map() };
  return ops.length > 0 && ops[0]!.op === "open" && ops.every((op, i) => (i === 0 || op.op !== "open") && applyShape(s, op));
}

// ---------------------------------------------------------------- model

interface ModelColumn {
  dtype: ColumnDataType;
  width: number;
  chunk: number;
  /** Chunk index → its full contents (chunk × width values, tail past the end included). */
  chunks: Map<number, JsonValue[]>;
  attrs: Map<string, JsonValue>;
  /** The user of each modification log entry. */
  log: string[];
}

/** The RAT a scenario should leave behind, chunk by chunk. */
export class Model {
  rowCount = 0;
  chunkSize = DEFAULT_CHUNK;
  readonly ratAttrs = new Map<string, JsonValue>([["ROWCOUNT", 0], ["CHUNKSIZE", DEFAULT_CHUNK]]);
  readonly columns = new Map<string, ModelColumn>();
  private handle: { side: Side; logged: Set<string> } = { side: "ts", logged: new Set() };

  open(side: Side): void {
    this.handle = { side, logged: new Set() };
  }

  dtypeOf(name: string): ColumnDataType {
    return this.columns.get(name)!.dtype;
  }

  apply(op: Op): void {
    switch (op.op) {
      case "open": case "reopen": return;
      case "setChunkSize":
        this.chunkSize = op.n;
        this.ratAttrs.set("CHUNKSIZE", op.n);
        return;
      case "setRowCount":
        if (op.n === this.rowCount) return;
        for (const col of this.columns.values()) this.resize(col, this.rowCount, op.n);
        this.rowCount = op.n;
        this.ratAttrs.set("ROWCOUNT", op.n);
        return;
      case "createColumn":
        this.columns.set(op.name, { dtype: op.dtype, width: op.width, chunk: this.chunkSize, chunks: new Map(), attrs: new Map(), log: [] });
        return;
      case "deleteColumn":
        this.columns.delete(op.name);
        // ratzarr forgets the column was written; Python ratzarr 1.0.2 keeps it in modifiedCols.
        if (this.handle.side === "ts") this.handle.logged.delete(op.name);
        return;
      case "writeBlock": {
        const col = this.columns.get(op.name)!;
        this.write(col, op.start, op.values);
        if (!this.handle.logged.has(op.name)) {
          this.handle.logged.add(op.name);
          col.log.push(USERS[this.handle.side]);
        }
        return;
      }
      case "setRatAttribute": this.ratAttrs.set(op.key, op.value); return;
      case "setColumnAttribute": this.columns.get(op.name)!.attrs.set(op.key, op.value); return;
    }
  }

  private write(col: ModelColumn, start: number, values: readonly JsonValue[]): void {
    const { chunk: c, width: w } = col;
    const stop = start + values.length / w;
    for (let k = Math.floor(start / c); k * c < stop; k++) {
      // A block that covers every in-bounds row of a chunk replaces it whole (tail = fill), as both engines do.
      const complete = start <= k * c && stop >= Math.min((k + 1) * c, this.rowCount);
      const data = (complete ? undefined : col.chunks.get(k)) ?? new Array<JsonValue>(c * w).fill(fillOf(col.dtype));
      for (let row = Math.max(start, k * c); row < Math.min(stop, (k + 1) * c); row++) {
        for (let j = 0; j < w; j++) data[(row - k * c) * w + j] = values[(row - start) * w + j]!;
      }
      col.chunks.set(k, data);
    }
  }

  private resize(col: ModelColumn, from: number, to: number): void {
    const c = col.chunk;
    for (const k of col.chunks.keys()) if (k * c >= to) col.chunks.delete(k);
    // ratzarr also clears the cut-off tail of the edge chunk; zarr-python leaves it (old values come back on a grow).
    const edge = col.chunks.get(Math.floor(to / c));
    if (this.handle.side === "ts" && to < from && edge !== undefined) edge.fill(fillOf(col.dtype), (to % c) * col.width);
  }

  /** Every value of a column, flat row-major, as a reader should see it. */
  values(name: string): JsonValue[] {
    const col = this.columns.get(name)!;
    const out: JsonValue[] = [];
    for (let row = 0; row < this.rowCount; row++) {
      const data = col.chunks.get(Math.floor(row / col.chunk));
      for (let j = 0; j < col.width; j++) out.push(data === undefined ? fillOf(col.dtype) : data[(row % col.chunk) * col.width + j]!);
    }
    return out;
  }
}

// ---------------------------------------------------------------- what a reader sees

interface SeenColumn {
  dtype: string;
  width: number;
  rows: number;
  chunk: number;
  values: JsonValue[];
  /** Attributes without MODIFICATIONLOG. */
  attrs: JsonObject;
  log: JsonValue | undefined;
}

interface Seen {
  rowCount: JsonValue | undefined;
  chunkSize: JsonValue | undefined;
  ratAttrs: JsonObject;
  columns: Map<string, SeenColumn>;
}

function withoutLog(attrs: JsonObject): [JsonObject, JsonValue | undefined] {
  const log = Object.hasOwn(attrs, "MODIFICATIONLOG") ? attrs["MODIFICATIONLOG"] : undefined;
  const rest: JsonObject = {};
  for (const k of Object.keys(attrs)) if (k !== "MODIFICATIONLOG") Object.defineProperty(rest, k, { value: attrs[k], enumerable: true, writable: true, configurable: true });
  return [rest, log];
}

/** What plain zarr-python sees. */
async function seenByPython(py: PythonHelper, path: string): Promise<Seen> {
  const d = await py.dump(path);
  const columns = new Map<string, SeenColumn>();
  for (const name of Object.keys(d.columns)) {
    const c = d.columns[name]!;
    const [attrs, log] = withoutLog(c.attributes);
    columns.set(name, { dtype: c.dtype, width: c.shape.length > 1 ? c.shape[1]! : 1, rows: c.shape[0]!, chunk: c.chunks[0]!, values: c.values, attrs, log });
  }
  return { rowCount: d.attributes["ROWCOUNT"], chunkSize: d.attributes["CHUNKSIZE"], ratAttrs: d.attributes, columns };
}

/** What ratzarr sees through a read-only handle. */
async function seenByRatzarr(path: string): Promise<Seen> {
  const rz = await RatZarr.open(path, { readOnly: true });
  try {
    const columns = new Map<string, SeenColumn>();
    for (const name of await rz.getColumnNames()) {
      const dtype = await rz.getColumnDtype(name);
      const rows = (await rz.openColumn(name)).shape[0]!;
      const [attrs, log] = withoutLog((await rz.getColumnAttributeMapping(name)).toJSON());
      const parsedLog = await rz.getModificationLog(name);
      if (!Array.isArray(log) || parsedLog.length !== log.length) throw new Error(`column "${name}": getModificationLog gives ${parsedLog.length} entries, the attribute ${Array.isArray(log) ? log.length : "none"}`);
      columns.set(name, {
        dtype, rows, attrs, log,
        width: await rz.getColumnWidth(name),
        chunk: await rz.getColumnChunkSize(name),
        values: toJsonValues(dtype, await rz.readBlock(name, 0, rows)),
      });
    }
    return { rowCount: rz.getRowCount(), chunkSize: rz.getRATChunkSize(), ratAttrs: (await rz.getRatAttributeMapping()).toJSON(), columns };
  } finally {
    await rz.close();
  }
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

/** Every difference between the model and what a reader saw (empty: they agree). */
export function compare(model: Model, seen: Seen): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || out.push(what));
  check(seen.rowCount === model.rowCount, `row count: expected ${model.rowCount}, got ${String(seen.rowCount)}`);
  check(seen.chunkSize === model.chunkSize, `RAT chunk size: expected ${model.chunkSize}, got ${String(seen.chunkSize)}`);
  const [ea, sa] = [canonicalEntries([...model.ratAttrs]), canonical(seen.ratAttrs)];
  check(ea === sa, `RAT attributes:\n      expected ${ea}\n      got      ${sa}`);
  const [en, sn] = [[...model.columns.keys()].sort(), [...seen.columns.keys()].sort()];
  check(en.join("\u0001") === sn.join("\u0001"), `column names: expected ${JSON.stringify(en)}, got ${JSON.stringify(sn)}`);
  for (const [name, col] of model.columns) {
    const s = seen.columns.get(name);
    if (s === undefined) continue;
    const at = `column "${name}"`;
    check(s.dtype === col.dtype, `${at} dtype: expected ${col.dtype}, got ${s.dtype}`);
    check(s.width === col.width, `${at} width: expected ${col.width}, got ${s.width}`);
    check(s.rows === model.rowCount, `${at} rows: expected ${model.rowCount}, got ${s.rows}`);
    check(s.chunk === col.chunk, `${at} chunk size: expected ${col.chunk}, got ${s.chunk}`);
    const expected = model.values(name);
    check(s.values.length === expected.length, `${at}: expected ${expected.length} values, got ${s.values.length}`);
    const bad: string[] = [];
    for (let i = 0; i < Math.max(expected.length, s.values.length); i++) {
      const [e, g] = [valueKey(col.dtype, expected[i]), valueKey(col.dtype, s.values[i])];
      if (e !== g) bad.push(`row ${Math.floor(i / col.width)}${col.width > 1 ? `[${i % col.width}]` : ""}: expected ${e.slice(0, 80)}, got ${g.slice(0, 80)}`);
    }
    if (bad.length > 0) out.push(`${at}: ${bad.length} values differ: ${bad.slice(0, 6).join("; ")}`);
    const [eca, sca] = [canonicalEntries([...col.attrs]), canonical(s.attrs)];
    check(eca === sca, `${at} attributes:\n      expected ${eca}\n      got      ${sca}`);
    const log = Array.isArray(s.log) ? s.log : [];
    const users = log.map((e) => (Array.isArray(e) ? e[1] : e));
    const wellFormed = Array.isArray(s.log) && log.every((e, i) => Array.isArray(e) && e.length === 3 && typeof e[0] === "string" && ISO.test(e[0]) && canonical(e[2]) === canonical([col.log[i] ?? ""]));
    check(wellFormed && canonical(users as JsonValue[]) === canonical(col.log), `${at} modification log: expected users ${JSON.stringify(col.log)}, got ${canonical(s.log ?? null).slice(0, 300)}`);
  }
  return out;
}

// ---------------------------------------------------------------- runner

export interface RunContext {
  readonly py: PythonHelper;
  /** A directory this run may write under. */
  readonly dir: string;
}

let runCounter = 0;

async function runOnTs(rz: RatZarr, op: Op, model: Model): Promise<void> {
  switch (op.op) {
    case "open": case "reopen": return;
    case "setChunkSize": return rz.setChunkSize(op.n);
    case "setRowCount": return rz.setRowCount(op.n);
    case "createColumn": return rz.createColumn(op.name, op.dtype, { width: op.width });
    case "writeBlock": return rz.writeBlock(op.name, fromJsonValues(model.dtypeOf(op.name), op.values), op.start);
    case "deleteColumn": return rz.deleteColumn(op.name);
    case "setRatAttribute": return (await rz.getRatAttributeMapping()).set(op.key, op.value);
    case "setColumnAttribute": return (await rz.getColumnAttributeMapping(op.name)).set(op.key, op.value);
  }
}

async function runOnPy(p: PyRat, op: Op): Promise<void> {
  switch (op.op) {
    case "open": case "reopen": return;
    case "setChunkSize": case "setRowCount": await p.call(op.op, op.n); return;
    case "createColumn": await p.call(op.op, op.name, op.dtype, op.width); return;
    case "writeBlock": await p.call(op.op, op.name, op.values, op.start); return;
    case "deleteColumn": await p.call(op.op, op.name); return;
    case "setRatAttribute": await p.call(op.op, op.key, op.value); return;
    case "setColumnAttribute": await p.call(op.op, op.name, op.key, op.value); return;
  }
}

function describe(op: Op): string {
  const s = opsToJson([op]);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/**
 * Play `ops` in one direction on a fresh path under `ctx.dir`, then read the RAT back
 * (ts→py: zarr-python; py→ts: ratzarr; mixed: both) and compare with the model.
 * Returns the differences (empty: pass). An op that throws is a difference too.
 */
export async function runScenario(ctx: RunContext, ops: readonly Op[], direction: Direction, mixedStart: Side = "ts"): Promise<string[]> {
  const path = join(ctx.dir, `run${++runCounter}.zarr`);
  const model = new Model();
  let side: Side = direction === "ts→py" ? "ts" : direction === "py→ts" ? "py" : mixedStart;
  let ts: RatZarr | undefined;
  let p: PyRat | undefined;
  const close = async () => {
    await ts?.close();
    await p?.close();
    ts = p = undefined;
  };
  const open = async () => {
    if (side === "ts") ts = await RatZarr.open(path, { provenance: { user: USERS.ts, argv: [USERS.ts] }, onWarning: () => undefined });
    else p = await ctx.py.open(path, { user: USERS.py, argv: [USERS.py] });
    model.open(side);
  };
  try {
    try {
      for (const [i, op] of ops.entries()) {
        if (op.op === "open" || op.op === "reopen") {
          await close();
          if (op.op === "reopen" && direction === "mixed") side = side === "ts" ? "py" : "ts";
          await open();
          continue;
        }
        try {
          if (ts !== undefined) await runOnTs(ts, op, model);
          else if (p !== undefined) await runOnPy(p, op);
          else throw new Error("no open handle");
        } catch (e) {
          return [`op #${i} on ${side} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n      op: ${describe(op)}`];
        }
        model.apply(op);
      }
    } finally {
      await close();
    }
    const readers: Side[] = direction === "ts→py" ? ["py"] : direction === "py→ts" ? ["ts"] : ["py", "ts"];
    const out: string[] = [];
    for (const reader of readers) {
      try {
        const seen = reader === "py" ? await seenByPython(ctx.py, path) : await seenByRatzarr(path);
        out.push(...compare(model, seen).map((m) => `read by ${reader === "py" ? "zarr-python" : "ratzarr"}: ${m}`));
      } catch (e) {
        out.push(`read by ${reader === "py" ? "zarr-python" : "ratzarr"} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
    return out;
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- shrinker

/** Smaller variants of `ops`, the most promising first (op 0, the open, always stays). */
function* candidates(ops: readonly Op[]): Generator<Op[]> {
  const n = ops.length;
  for (let size = Math.max(1, Math.floor((n - 1) / 2)); size >= 1; size = size === 1 ? 0 : Math.max(1, Math.floor(size / 2))) {
    for (let at = n - size; at >= 1; at--) yield [...ops.slice(0, at), ...ops.slice(at + size)];
  }
  const replace = (i: number, op: Op) => ops.map((o, j) => (j === i ? op : o));
  for (const [i, op] of ops.entries()) {
    if (op.op === "writeBlock" && op.values.length > 0) {
      // Shorten the block: whole rows only (the validity check rejects a partial row).
      for (let w = 1; w <= 4; w++) {
        const rows = op.values.length / w;
        if (!Number.isInteger(rows)) continue;
        if (rows > 1) yield replace(i, { ...op, values: op.values.slice(0, Math.ceil(rows / 2) * w) });
        yield replace(i, { ...op, values: op.values.slice(0, (rows - 1) * w) });
        yield replace(i, { ...op, start: op.start + 1, values: op.values.slice(w) });
      }
    }
    if (op.op === "setRowCount" && op.n > 0) for (const m of new Set([0, Math.floor(op.n / 2), op.n - 1])) yield replace(i, { ...op, n: m });
    if (op.op === "setChunkSize" && op.n > 1) for (const m of new Set([1, Math.floor(op.n / 2), op.n - 1])) yield replace(i, { ...op, n: m });
  }
}

/**
 * Cut a failing scenario down: keep the first valid smaller variant that still fails,
 * until none does or `budgetMs` is spent. Returns the smallest failing ops found.
 */
export async function shrink(ops: readonly Op[], fails: (ops: readonly Op[]) => Promise<boolean>, budgetMs: number): Promise<{ ops: readonly Op[]; tries: number; timedOut: boolean }> {
  const deadline = Date.now() + budgetMs;
  let best = ops;
  let tries = 0;
  for (let improved = true; improved; ) {
    improved = false;
    for (const c of candidates(best)) {
      if (Date.now() > deadline) return { ops: best, tries, timedOut: true };
      if (!isValid(c)) continue;
      tries++;
      if (await fails(c)) {
        best = c;
        improved = true;
        break;
      }
    }
  }
  return { ops: best, tries, timedOut: false };
}
