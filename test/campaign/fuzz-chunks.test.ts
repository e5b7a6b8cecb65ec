/**
 * Fuzz campaign 2: mutated chunks, for every codec chain the library reads:
 * default zstd (numbers and strings), zstd with checksums, gzip, crc32c,
 * blosc (lz4 and zstd inside), sharding (index at the end and at the start),
 * vlen-utf8 strings with and without compression, bytes big and little
 * endian, transpose of 2-d columns. Each chunk is seen as its layers (what
 * the array→bytes codec makes, then each bytes→bytes codec's output); a case
 * mutates one layer and encodes the layers above it again, so a damaged
 * vlen-utf8 count or shard index reaches its decoder through an intact
 * compressor and checksum. Mutations: bit flips, bytes set, inserted,
 * deleted, duplicated, truncation, appended bytes, random replacement;
 * fields that lie (zstd frame content size and window, gzip trailer, blosc
 * header sizes, crc32c, vlen-utf8 element count and lengths, shard index
 * offsets and sizes with the index checksum made right again); compression
 * bombs (zstd RLE frames and gzip members decoding to gigabytes, with true,
 * absent or lying sizes).
 *
 * Pass: the column reads exactly as written, or a RatZarrError; or, where no
 * checksum covers the damaged layer (plain bytes, a compressor's payload),
 * values of the right type and length. Never another error type, a hang, an
 * unhandled rejection or memory past the bound; afterwards a control RAT
 * reads exactly. Runs on a worker thread (fuzz-harness.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fc from "fast-check";
import { isMainThread } from "node:worker_threads";
import { RatZarr } from "../../src/rat/rat-zarr.js";
import { defaultFillValue, ZarrArray } from "../../src/format/array.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { ChunkSpec, CodecMetadata, JsonObject } from "../../src/codecs/codec.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { crc32c } from "../../src/codecs/crc32c.js";
import { type ChunkData, type DataType, allocate, isArrayOf } from "../../src/data-types.js";
import { RatZarrError } from "../../src/errors.js";
import { campaignScale } from "../helpers/campaign.js";
import { concat } from "../helpers/bytes.js";
import { gzipBomb, zstdRleBomb } from "./bombs.js";
import { type FuzzCampaign, runFuzzCampaign, unexpected, WrongResult } from "./fuzz-harness.js";

const ROWS = 10;
const CHUNK = 4;
const OPEN = { onWarning: () => undefined, provenance: { user: "fuzz", argv: ["fuzz"] } } as const;
/**
 * Bound on decoded string chunks (default 1 GiB): a bomb that stays inside the bound is decoded, as
 * asked, which at 1 GiB takes seconds per case; the default is what test/codecs/ checks.
 */
const MAX_DECODED = 128 * 2 ** 20;
const LE: CodecMetadata = { name: "bytes", configuration: { endian: "little" } };
const ZSTD: CodecMetadata = { name: "zstd", configuration: { level: 0, checksum: false } };

interface Chain {
  readonly name: string;
  readonly dtype: DataType;
  readonly width: number;
  readonly codecs: readonly CodecMetadata[];
}

/** A codec as a JSON value, to nest in a sharding configuration. */
const json = (c: CodecMetadata): JsonObject => (c.configuration === undefined ? { name: c.name } : { name: c.name, configuration: c.configuration });

const CHAINS: readonly Chain[] = [
  { name: "zstd_f64", dtype: "float64", width: 1, codecs: [LE, ZSTD] },
  { name: "zstd_ck_i64", dtype: "int64", width: 1, codecs: [LE, { name: "zstd", configuration: { level: 1, checksum: true } }] },
  { name: "zstd_str", dtype: "string", width: 1, codecs: [{ name: "vlen-utf8", configuration: {} }, ZSTD] },
  { name: "gzip_i32", dtype: "int32", width: 1, codecs: [LE, { name: "gzip", configuration: { level: 5 } }] },
  { name: "gzip_str", dtype: "string", width: 1, codecs: [{ name: "vlen-utf8", configuration: {} }, { name: "gzip", configuration: { level: 1 } }] },
  { name: "crc_u16", dtype: "uint16", width: 1, codecs: [LE, { name: "crc32c" }] },
  { name: "zstd_crc_u32", dtype: "uint32", width: 1, codecs: [LE, ZSTD, { name: "crc32c" }] },
  { name: "blosc_lz4_f32", dtype: "float32", width: 1, codecs: [LE, { name: "blosc", configuration: { cname: "lz4", clevel: 5, shuffle: "shuffle", typesize: 4, blocksize: 0 } }] },
  { name: "blosc_zstd_i16", dtype: "int16", width: 1, codecs: [LE, { name: "blosc", configuration: { cname: "zstd", clevel: 3, shuffle: "bitshuffle", typesize: 2, blocksize: 0 } }] },
  { name: "shard_end_i32", dtype: "int32", width: 1, codecs: [{ name: "sharding_indexed", configuration: { chunk_shape: [2], codecs: [json(LE), json(ZSTD)], index_codecs: [json(LE), { name: "crc32c" }], index_location: "end" } }] },
  { name: "shard_start_str", dtype: "string", width: 1, codecs: [{ name: "sharding_indexed", configuration: { chunk_shape: [2], codecs: [{ name: "vlen-utf8", configuration: {} }, { name: "gzip", configuration: { level: 1 } }], index_codecs: [json(LE), { name: "crc32c" }], index_location: "start" } }] },
  { name: "be_f64", dtype: "float64", width: 1, codecs: [{ name: "bytes", configuration: { endian: "big" } }] },
  { name: "le_u32", dtype: "uint32", width: 1, codecs: [LE] },
  { name: "raw_bool", dtype: "bool", width: 1, codecs: [{ name: "bytes" }] },
  { name: "raw_str", dtype: "string", width: 1, codecs: [{ name: "vlen-utf8", configuration: {} }] },
  { name: "tr_u16w3", dtype: "uint16", width: 3, codecs: [{ name: "transpose", configuration: { order: [1, 0] } }, LE, ZSTD] },
  { name: "tr_be_i64w2", dtype: "int64", width: 2, codecs: [{ name: "transpose", configuration: { order: [1, 0] } }, { name: "bytes", configuration: { endian: "big" } }, { name: "gzip", configuration: { level: 6 } }] },
];

/** Values with no fill element anywhere, so every chunk is stored. */
function valuesOf(c: Chain): ChunkData {
  const n = ROWS * c.width;
  if (c.dtype === "string") return Array.from({ length: n }, (_, i) => ["α", "row", "🌍 wide", "x".repeat(40), "日本"][i % 5]! + i);
  if (c.dtype === "bool") return allocate("bool", n, true);
  const out = allocate(c.dtype, n);
  for (let i = 0; i < n; i++) (out as unknown as (number | bigint)[])[i] = c.dtype === "int64" || c.dtype === "uint64" ? BigInt(i + 1) * 0x1234567n : c.dtype.startsWith("float") ? (i + 1) * -1.25 : i + 1;
  return out;
}

function show(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  return JSON.stringify(v);
}

function sameValues(a: ChunkData, b: ChunkData): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (show(a[i]) !== show(b[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------
// One stored chunk as its layers

interface StoredChunk {
  readonly chain: number;
  readonly key: string;
  /** layers[0]: the array→bytes codec's output; layers[k]: bytes→bytes codec k's output (the last is stored). */
  readonly layers: readonly Uint8Array[];
  readonly pipeline: CodecPipeline;
}

/** The layers of a chunk, made again from its decoded data (every codec here writes the same bytes for the same data). */
async function layersOf(pipeline: CodecPipeline, chunkShape: number[], dtype: DataType, stored: Uint8Array, key: string): Promise<Uint8Array[]> {
  const ctx = { key };
  let arr = await pipeline.decode(stored, ctx);
  let spec: ChunkSpec = { shape: chunkShape, dataType: dtype, fillValue: defaultFillValue(dtype) };
  for (const c of pipeline.arrayToArray) {
    arr = await c.encode(arr, spec, ctx);
    spec = c.encodedSpec(spec);
  }
  const layers = [(await pipeline.arrayToBytes.encode(arr, spec, ctx)).slice()];
  for (const c of pipeline.bytesToBytes) layers.push((await c.encode(layers[layers.length - 1]!, ctx)).slice());
  return layers;
}

// ---------------------------------------------------------------------------
// Mutations

/** A number for a field: absolute, or relative to the field's true value. */
type Amount = { readonly rel: false; readonly v: bigint } | { readonly rel: true; readonly v: number };

type ChunkEdit =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly byte: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "append"; readonly bytes: Uint8Array }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "duplicate"; readonly at: number; readonly length: number }
  | { readonly kind: "replace-all"; readonly bytes: Uint8Array }
  | { readonly kind: "field"; readonly field: number; readonly amount: Amount }
  | { readonly kind: "bomb"; readonly size: number; readonly announce: "none" | "true" | "expected" | "max" };

interface ChunkCase {
  readonly chunk: number;
  /** Which layer to damage (modulo the layer count): 0 is the array→bytes output. */
  readonly layer: number;
  readonly edits: readonly ChunkEdit[];
  /** Read with read-ahead on (the damaged chunk may be fetched ahead of the read that needs it). */
  readonly sequential: boolean;
}

const amount: fc.Arbitrary<Amount> = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((v) => ({ rel: true as const, v })),
  fc.constantFrom(0n, 1n, 255n, 256n, 65535n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n).map((v) => ({ rel: false as const, v })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ rel: false as const, v })),
);

const BOMB_SIZES = [1, 2 ** 20, 16 * 2 ** 20, 2 ** 31 + 7, 4 * 2 ** 30];

const chunkEdit: fc.Arbitrary<ChunkEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 256 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace-all" as const), bytes: fc.uint8Array({ maxLength: 96 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("field" as const), field: fc.nat(), amount }) },
);

const bombEdit: fc.Arbitrary<ChunkEdit> = fc.record({
  kind: fc.constant("bomb" as const),
  size: fc.constantFrom(...BOMB_SIZES),
  announce: fc.constantFrom("none" as const, "true" as const, "expected" as const, "max" as const),
});

const chunkCase: fc.Arbitrary<ChunkCase> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ chunk: fc.nat(), layer: fc.nat(), edits: fc.array(chunkEdit, { minLength: 1, maxLength: 3 }), sequential: fc.boolean() }) },
  // A bomb, now and then damaged too.
  { weight: 1, arbitrary: fc.record({ chunk: fc.nat(), layer: fc.nat(), edits: fc.tuple(bombEdit, fc.array(chunkEdit, { maxLength: 1 })).map(([b, more]) => [b, ...more]), sequential: fc.boolean() }) },
);

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

/** Write the low `width` bytes of `v` little-endian at `at` (clipped to the buffer). */
function putLE(b: Uint8Array, at: number, width: number, v: bigint): void {
  let x = BigInt.asUintN(width * 8, v);
  for (let i = 0; i < width; i++, x >>= 8n) if (at + i >= 0 && at + i < b.length) b[at + i] = Number(x & 0xffn);
}

function getLE(b: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0);
  return v;
}

/** A field of a layer: where it is, how wide, and (for some) how to fix a checksum after it changes. */
interface Field {
  readonly at: number;
  readonly width: number;
  /** The value the field stands for is the stored one plus this (zstd's 2-byte content size is stored minus 256). */
  readonly bias?: bigint;
  readonly after?: (b: Uint8Array) => void;
}

/** The fields a mutation may lie in, by what made the layer. */
function fieldsOf(b: Uint8Array, made: string, c: StoredChunk): Field[] {
  const n = b.length;
  if (made === "zstd" && n >= 6) {
    const d = b[4]!;
    const ss = (d >> 5) & 1;
    const did = [0, 1, 2, 4][d & 3]!;
    const fcs = d >> 6 === 0 ? ss : [0, 2, 4, 8][d >> 6]!;
    const fcsAt = 5 + (ss ? 0 : 1) + did;
    const out: Field[] = [{ at: 4, width: 1 }, { at: fcsAt + fcs, width: 3 }];
    if (!ss) out.push({ at: 5, width: 1 });
    if (fcs > 0) out.push({ at: fcsAt, width: fcs, ...(fcs === 2 ? { bias: 256n } : {}) });
    if (d & 4) out.push({ at: n - 4, width: 4 });
    return out;
  }
  if (made === "gzip") return [{ at: n - 4, width: 4 }, { at: n - 8, width: 4 }, { at: 3, width: 1 }, { at: 8, width: 1 }];
  if (made === "blosc") return [{ at: 0, width: 1 }, { at: 2, width: 1 }, { at: 3, width: 1 }, { at: 4, width: 4 }, { at: 8, width: 4 }, { at: 12, width: 4 }];
  if (made === "crc32c") return [{ at: n - 4, width: 4 }];
  if (made === "vlen-utf8" && n >= 4) {
    const out: Field[] = [{ at: 0, width: 4 }];
    for (let p = 4, i = 0; p + 4 <= n && i < 64; i++) {
      out.push({ at: p, width: 4 });
      p += 4 + u32(b, p);
    }
    return out;
  }
  if (made === "sharding_indexed") {
    // Index: (offset, nbytes) uint64 pairs, then its crc32c; at the end or the start of the shard.
    const conf = CHAINS[c.chain]!.codecs[0]!.configuration!;
    const count = CHUNK / 2;
    const size = count * 16 + 4;
    const start = conf["index_location"] === "start" ? 0 : n - size;
    if (start < 0) return [];
    const fix = (x: Uint8Array) => putLE(x, start + size - 4, 4, BigInt(crc32c(x.subarray(start, start + size - 4))));
    return Array.from({ length: 2 * count }, (_, k) => ({ at: start + 8 * k, width: 8, after: fix }));
  }
  return [];
}

/** The layer after one edit. `made`: the codec that made it ("bytes", "vlen-utf8", "zstd", ...); `expected`: the size the layer below has. */
function applyEdit(b: Uint8Array, e: ChunkEdit, made: string, expected: number, c: StoredChunk): Uint8Array {
  const at = "at" in e ? e.at % (b.length + 1) : 0;
  switch (e.kind) {
    case "flip":
      if (at < b.length) b[at]! ^= 1 << e.bit;
      return b;
    case "set":
      if (at < b.length) b[at] = e.byte;
      return b;
    case "truncate":
      return b.slice(0, at);
    case "append":
      return concat(b, e.bytes);
    case "insert":
      return concat(b.subarray(0, at), e.bytes, b.subarray(at));
    case "delete":
      return concat(b.subarray(0, at), b.subarray(at + e.length));
    case "duplicate":
      return concat(b.subarray(0, at + e.length), b.subarray(at, at + e.length), b.subarray(at + e.length));
    case "replace-all":
      return e.bytes.slice();
    case "field": {
      const fields = fieldsOf(b, made, c);
      if (fields.length === 0) return b;
      const f = fields[e.field % fields.length]!;
      const bias = f.bias ?? 0n;
      const now = getLE(b, f.at, f.width) + bias;
      const v = e.amount.rel ? now + BigInt(e.amount.v) : e.amount.v;
      const out = b.slice();
      putLE(out, f.at, f.width, v - bias);
      f.after?.(out);
      return out;
    }
    case "bomb": {
      const announced = (size: number): number | bigint | undefined =>
        e.announce === "none" ? undefined : e.announce === "true" ? size : e.announce === "expected" ? expected : 2n ** 64n - 1n;
      if (made === "zstd") {
        const blocks = Math.max(1, Math.ceil(e.size / 131072));
        return zstdRleBomb(blocks, announced(blocks * 131072));
      }
      if (made === "gzip") {
        const a = announced(e.size);
        return gzipBomb(e.size, a === undefined ? 0 : Number(BigInt.asUintN(32, BigInt(a))));
      }
      return b;
    }
  }
}

// ---------------------------------------------------------------------------
// The campaign

interface State {
  readonly base: ReadonlyMap<string, Uint8Array>;
  readonly chunks: readonly StoredChunk[];
  readonly values: readonly ChunkData[];
  readonly control: MemoryStore;
}

async function buildRat(): Promise<{ store: MemoryStore; values: ChunkData[] }> {
  const store = new MemoryStore();
  const rz = await RatZarr.open("fuzz", { store, ...OPEN });
  await rz.setChunkSize(CHUNK);
  await rz.setRowCount(ROWS);
  await rz.close();
  const values: ChunkData[] = [];
  for (const c of CHAINS) {
    const shape = c.width === 1 ? [ROWS] : [ROWS, c.width];
    const chunkShape = c.width === 1 ? [CHUNK] : [CHUNK, c.width];
    const a = await ZarrArray.create(store, `RAT/${c.name}`, { shape, dataType: c.dtype, chunkShape, codecs: c.codecs, attributes: { MODIFICATIONLOG: [] } });
    const v = valuesOf(c);
    await a.write(0, v as never);
    values.push(v);
  }
  return { store, values };
}

function cloneStore(data: ReadonlyMap<string, Uint8Array>): MemoryStore {
  const s = new MemoryStore();
  for (const [k, v] of data) s.data.set(k, v);
  return s;
}

async function checkControl(store: MemoryStore, values: readonly ChunkData[]): Promise<void> {
  const rz = await RatZarr.open("control", { store, readOnly: true, ...OPEN });
  for (const [i, c] of CHAINS.entries()) {
    const got = await rz.readBlock(c.name, 0, ROWS);
    if (!sameValues(got, values[i]!)) throw new WrongResult(`control column "${c.name}" reads ${Array.from(got, show).join(",")}`);
  }
  await rz.close();
}

/** Whether the codec that decodes layer `layer` (>= 1) checks its output against a checksum it stores. */
function checked(c: StoredChunk, layer: number): boolean {
  if (layer === 0) return false;
  // The chain's bytes→bytes codecs are the ones after its array→bytes codec.
  const codecs = CHAINS[c.chain]!.codecs;
  const codec = codecs[codecs.findIndex((m) => ["bytes", "vlen-utf8", "sharding_indexed"].includes(m.name)) + layer]!;
  if (codec.name === "crc32c" || codec.name === "gzip") return true;
  // zstd: when the stored frame carries a content checksum (the WASM encoder writes none).
  return codec.name === "zstd" && codec.configuration?.["checksum"] === true && (c.layers[layer]![4]! & 4) !== 0;
}

async function runCase(state: State, k: ChunkCase): Promise<string> {
  // A bomb goes into a chunk with a compressor, in place of the compressor's output.
  const bomb = k.edits.some((e) => e.kind === "bomb");
  const among = bomb ? state.chunks.filter((x) => compressorLayer(x) > 0) : state.chunks;
  const c = among[k.chunk % among.length]!;
  const chain = CHAINS[c.chain]!;
  const layer = bomb ? compressorLayer(c) : k.layer % c.layers.length;
  const made = layer === 0 ? c.pipeline.arrayToBytes.name : c.pipeline.bytesToBytes[layer - 1]!.name;
  const expected = layer === 0 ? 0 : c.layers[layer - 1]!.length;
  let b: Uint8Array = c.layers[layer]!.slice();
  for (const e of k.edits) b = applyEdit(b, e, made, expected, c);
  const unchanged = b.length === c.layers[layer]!.length && b.every((x, i) => x === c.layers[layer]![i]);
  for (let i = layer; i < c.pipeline.bytesToBytes.length; i++) b = (await c.pipeline.bytesToBytes[i]!.encode(b, { key: c.key })).slice();
  const store = cloneStore(state.base);
  store.data.set(c.key, b);

  const rz = await RatZarr.open("fuzz", { store, readOnly: true, ...OPEN, readAhead: k.sequential ? 2 : 0, maxDecodedBytes: MAX_DECODED });
  try {
    const want = state.values[c.chain]!;
    const reads: [number, number][] = k.sequential ? [[0, 1], [1, 3], [4, 6]] : [[0, ROWS], [Math.max(0, chunkRow(c.key) + 1), 2]];
    let firstError: string | undefined;
    let differs = false;
    for (const [start, len] of reads) {
      let got: ChunkData;
      try {
        got = await rz.readBlock(chain.name, start, len);
      } catch (e) {
        if (!(e instanceof RatZarrError)) throw unexpected(`readBlock rows ${start}+${len}`, e);
        firstError ??= e.name;
        continue;
      }
      const n = Math.max(0, Math.min(len, ROWS - start)) * chain.width;
      const exact = want.slice(start * chain.width, start * chain.width + n) as ChunkData;
      if (!isArrayOf(chain.dtype, got) || got.length !== n) throw new WrongResult(`rows ${start}+${len} read as ${got.constructor.name}(${got.length}), expected ${n} ${chain.dtype} values`);
      if (!sameValues(got, exact)) {
        if (unchanged) throw new WrongResult(`rows ${start}+${len} read ${Array.from(got, show).join(",")} from an undamaged chunk`);
        if (checked(c, layer)) throw new WrongResult(`rows ${start}+${len} read ${Array.from(got, show).join(",")} from a chunk whose damage a checksum should have caught (layer ${layer}, made by ${made})`);
        differs = true;
      }
    }
    return firstError ?? (differs ? "different values (no checksum over the damage)" : "exact");
  } finally {
    await rz.close();
  }
}

/** The layer a chunk's zstd or gzip codec makes, or 0 when it has none. */
function compressorLayer(c: StoredChunk): number {
  return c.pipeline.bytesToBytes.findIndex((x) => x.name === "zstd" || x.name === "gzip") + 1;
}

/** The first row of the chunk at `key` (".../c/2" or ".../c/2/0"). */
function chunkRow(key: string): number {
  const m = /\/c\/(\d+)/.exec(key);
  return m === null ? 0 : Number(m[1]) * CHUNK;
}

export const campaigns = {
  chunks: {
    async setup(): Promise<State> {
      const { store, values } = await buildRat();
      const chunks: StoredChunk[] = [];
      for (const [i, c] of CHAINS.entries()) {
        const chunkShape = c.width === 1 ? [CHUNK] : [CHUNK, c.width];
        const pipeline = await CodecPipeline.create(c.codecs, { shape: chunkShape, dataType: c.dtype, fillValue: defaultFillValue(c.dtype) }, `RAT/${c.name}/zarr.json`);
        const keys = [...store.data.keys()].filter((k) => k.startsWith(`RAT/${c.name}/c/`)).sort();
        if (keys.length !== 3) throw new Error(`chain ${c.name}: ${keys.length} chunks stored, expected 3`);
        for (const key of keys) {
          const stored = store.data.get(key)!;
          const layers = await layersOf(pipeline, chunkShape, c.dtype, stored, key);
          // The layers must make the stored bytes again, or a mutation would be measured against something else.
          if (!sameValues(layers[layers.length - 1]!, stored)) throw new Error(`chain ${c.name}: encoding ${key} again gives other bytes`);
          chunks.push({ chain: i, key, layers, pipeline });
        }
      }
      const control = await buildRat();
      return { base: new Map(store.data), chunks, values, control: control.store };
    },
    cases: chunkCase,
    run: runCase,
    control: (state: State) => checkControl(state.control, state.values),
  } satisfies FuzzCampaign<ChunkCase, State>,
};

if (isMainThread) {
  test("fuzz: mutated chunks of every codec chain give exact data or a RatZarrError, never a crash, hang or huge allocation", async () => {
    const result = await runFuzzCampaign({
      name: "fuzz-chunks",
      module: import.meta.url,
      campaign: "chunks",
      numRuns: 1000 * campaignScale(),
      caseTimeoutMs: 10_000,
      rssLimitBytes: 1.5 * 1024 ** 3,
    });
    if (result.failure !== undefined) assert.unreachable(result.failure);
  });
  test.run();
}
