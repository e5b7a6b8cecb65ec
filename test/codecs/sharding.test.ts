import { test } from "uvu";
import * as assert from "uvu/assert";
import { createShardingCodec } from "../../src/codecs/sharding.js";
import { crc32c } from "../../src/codecs/crc32c.js";
import type { ChunkSpec, JsonObject } from "../../src/codecs/codec.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import type { ChunkData, DataType } from "../../src/data-types.js";
import { CodecError, MetadataError } from "../../src/errors.js";
import { hex, rejectsWith as rejects, shifted } from "../helpers/bytes.js";

const FILE = "s/zarr.json";
const ctx = { key: "s/c/0/0" };
const spec = (dataType: DataType, shape: number[], fillValue: number | bigint | string = 0): ChunkSpec => ({ shape, dataType, fillValue });
const BYTES_LE = { name: "bytes", configuration: { endian: "little" } };
const INDEX = [BYTES_LE, { name: "crc32c" }];
const make = (configuration: JsonObject) => createShardingCodec(configuration, FILE);
const values = (a: ChunkData): unknown[] => Array.from(a as ArrayLike<unknown>);

/** A shard from hand-picked inner-chunk bytes and index entries ([offset, nbytes] or "empty"), index + CRC-32C at `at`. */
function handShard(body: Uint8Array, entries: ([number, number] | "empty")[], at: "start" | "end"): Uint8Array {
  const index = new Uint8Array(entries.length * 16);
  const view = new DataView(index.buffer);
  entries.forEach((e, i) => {
    view.setBigUint64(16 * i, e === "empty" ? 2n ** 64n - 1n : BigInt(e[0]), true);
    view.setBigUint64(16 * i + 8, e === "empty" ? 2n ** 64n - 1n : BigInt(e[1]), true);
  });
  const withCrc = new Uint8Array(index.length + 4);
  withCrc.set(index);
  new DataView(withCrc.buffer).setUint32(index.length, crc32c(index), true);
  const out = new Uint8Array(body.length + withCrc.length);
  out.set(at === "start" ? withCrc : body);
  out.set(at === "start" ? body : withCrc, at === "start" ? withCrc.length : body.length);
  return out;
}

// zarr-python 3.1.6: int16 array [4, 6], one shard, inner chunks [2, 3], fill -1, bytes + crc32c index,
// values arange(24) with [2:4, 3:6] = -1 (so inner chunk [1, 1] is not stored).
const EXPECTED = Array.from({ length: 24 }, (_, i) => (Math.floor(i / 6) >= 2 && i % 6 >= 3 ? -1 : i));
const PY_END = hex(
  "0000010002000600070008000c000d000e0012001300140003000400050009000a000b00" +
    "0000000000000000 0c00000000000000 1800000000000000 0c00000000000000 0c00000000000000 0c00000000000000" +
    "ffffffffffffffff ffffffffffffffff d1606ea8",
);
const PY_START = hex(
  "4400000000000000 0c00000000000000 5c00000000000000 0c00000000000000 5000000000000000 0c00000000000000" +
    "ffffffffffffffff ffffffffffffffff 7b8bd7eb" +
    "0000010002000600070008000c000d000e0012001300140003000400050009000a000b00",
);
const PY_CONFIG = (at: string): JsonObject => ({ chunk_shape: [2, 3], codecs: [BYTES_LE], index_codecs: INDEX, index_location: at });

test("configuration is checked when the codec is made", async () => {
  const bad: JsonObject[] = [
    { chunk_shape: [2, 0] },
    { chunk_shape: "2" },
    { chunk_shape: [2], index_location: "middle" },
    { chunk_shape: [2], codecs: [{ name: "nope" }] },
    { chunk_shape: [2], codecs: [{ name: "bytes", configuration: { endian: "sideways" } }] },
    { chunk_shape: [2], index_codecs: "bytes" },
    { chunk_shape: [2], codecs: [{ configuration: {} }] },
  ];
  for (const c of bad) await rejects(() => make(c), MetadataError, /s\/zarr\.json/);
  const gz = await make({ chunk_shape: [2], index_codecs: [BYTES_LE, { name: "gzip", configuration: { level: 1 } }] });
  await rejects(() => gz.decode(new Uint8Array(100), spec("int8", [4]), ctx), MetadataError, /fixed encoded size/);
  const c = await make({ chunk_shape: [2, 3] });
  await rejects(() => c.decode(new Uint8Array(100), spec("int8", [4, 4]), ctx), MetadataError, /not a whole number of inner chunks/);
  await rejects(() => c.decode(new Uint8Array(100), spec("int8", [4]), ctx), MetadataError, /inner chunks/);
});

test("reads zarr-python shards with the index at the end and at the start, from a subarray", async () => {
  for (const [at, bytes] of [["end", PY_END], ["start", PY_START]] as const) {
    const c = await make(PY_CONFIG(at));
    for (const by of [0, 1, 6]) {
      const out = await c.decode(shifted(bytes, by), spec("int16", [4, 6], -1), ctx);
      assert.instance(out, Int16Array);
      assert.equal(values(out), EXPECTED, `${at} ${by}`);
    }
  }
});

test("writes shards that read back, index at either end, fill-value inner chunks left out", async () => {
  const data = Int16Array.from(EXPECTED);
  for (const at of ["end", "start"]) {
    const c = await make(PY_CONFIG(at));
    const bytes = await c.encode(data, spec("int16", [4, 6], -1), ctx);
    assert.is(bytes.length, 3 * 12 + 68, "three stored inner chunks of 12 bytes and the index");
    const indexAt = at === "start" ? 0 : bytes.length - 68;
    const view = new DataView(bytes.buffer, bytes.byteOffset + indexAt, 64);
    assert.is(view.getBigUint64(48, true), 2n ** 64n - 1n, "inner chunk [1, 1] is empty");
    assert.is(view.getBigUint64(0, true), at === "start" ? 68n : 0n);
    assert.equal(values(await c.decode(bytes, spec("int16", [4, 6], -1), ctx)), EXPECTED);
  }
});

test("missing inner chunks read as the fill value; an all-fill shard is just its index", async () => {
  const c = await make({ chunk_shape: [2], index_codecs: INDEX });
  const body = hex("0500 0600");
  const shard = handShard(body, ["empty", [0, 4], "empty"], "end");
  assert.equal(values(await c.decode(shard, spec("int16", [6], 9), ctx)), [9, 9, 5, 6, 9, 9]);
  const fill = await c.encode(Int16Array.of(9, 9, 9, 9, 9, 9), spec("int16", [6], 9), ctx);
  assert.is(fill.length, 3 * 16 + 4);
  assert.equal(values(await c.decode(fill, spec("int16", [6], 9), ctx)), [9, 9, 9, 9, 9, 9]);
});

test("hand-built shards: chunks in any order, gaps between them, index at the start", async () => {
  const c = await make({ chunk_shape: [2], index_codecs: INDEX, index_location: "start" });
  // Index of 3 entries = 52 bytes; chunk 2 first, a gap, then chunk 0.
  const body = hex("0300 0400  eeee  0100 0200");
  const shard = handShard(body, [[52 + 6, 4], "empty", [52, 4]], "start");
  assert.equal(values(await c.decode(shifted(shard, 3), spec("int16", [6]), ctx)), [1, 2, 0, 0, 3, 4]);
});

test("truncated or inconsistent shards are CodecErrors naming the key", async () => {
  const c = await make(PY_CONFIG("end"));
  const s = spec("int16", [4, 6], -1);
  await rejects(() => c.decode(PY_END.subarray(0, 60), s, ctx), CodecError, /s\/c\/0\/0/, /truncated/, /60 bytes/, /needs 68/);
  await rejects(() => c.decode(new Uint8Array(0), s, ctx), CodecError, /truncated/);
  // Dropping the first bytes keeps the index but moves the chunks: offsets now run past the end.
  await rejects(() => c.decode(PY_END.subarray(20), s, ctx), CodecError, /inner chunk \[0, 1\]/, /offset 24 with 12 bytes/, /outside the chunk data \(bytes 0\.\.16 of a 84-byte shard\)/);
  const badCrc = PY_END.slice();
  badCrc[badCrc.length - 1]! ^= 1;
  await rejects(() => c.decode(badCrc, s, ctx), CodecError, /s\/c\/0\/0/, /checksum/);
  // A chunk reaching into the index at the start.
  const overlap = handShard(hex("0100 0200 0300"), [[30, 6], "empty"], "start");
  await rejects(() => (make({ chunk_shape: [3], index_codecs: INDEX, index_location: "start" })).then((s2) => s2.decode(overlap, spec("int16", [6]), ctx)), CodecError, /inner chunk \[0\] at offset 30/, /bytes 36\.\.42/);
  const fixed = handShard(new Uint8Array(12), [[0, 12], [0, 12], "empty", "empty"], "end");
  const view = new DataView(fixed.buffer);
  view.setBigUint64(12 + 32 + 8, 12n, true); // entry 2: offset 2^64-1, nbytes 12
  view.setUint32(fixed.length - 4, crc32c(fixed.subarray(12, 12 + 64)), true);
  await rejects(() => c.decode(fixed, s, ctx), CodecError, /inner chunk \[1, 0\]/);
  // An inner chunk of the wrong size: the inner bytes codec names it.
  const short = handShard(new Uint8Array(12), [[0, 10], "empty", "empty", "empty"], "end");
  await rejects(() => c.decode(short, s, ctx), CodecError, /inner chunk \[0, 0\]/, /10 bytes, expected 12/);
});

test("round trips: compressed inner chunks, transpose, rank 1 and 3, odd shapes", async () => {
  const cases: [JsonObject, DataType, number[], ChunkData][] = [
    [{ chunk_shape: [3], codecs: [BYTES_LE, { name: "zstd", configuration: { level: 0 } }], index_codecs: INDEX }, "float64", [9], Float64Array.from({ length: 9 }, (_, i) => i / 3)],
    [{ chunk_shape: [1, 3, 5], codecs: [{ name: "transpose", configuration: { order: [2, 0, 1] } }, BYTES_LE, { name: "gzip", configuration: { level: 1 } }], index_codecs: INDEX, index_location: "start" }, "int32", [3, 3, 5], Int32Array.from({ length: 45 }, (_, i) => i * 7 - 100)],
    [{ chunk_shape: [2, 2], codecs: [BYTES_LE, { name: "crc32c" }], index_codecs: INDEX }, "uint64", [4, 2], BigUint64Array.from({ length: 8 }, (_, i) => BigInt(i) * 2n ** 60n)],
    [{ chunk_shape: [5, 1], codecs: [{ name: "bytes" }], index_codecs: INDEX }, "bool", [5, 3], Uint8Array.from({ length: 15 }, (_, i) => i % 2)],
  ];
  for (const [config, dataType, shape, data] of cases) {
    const fill = dataType === "uint64" ? 0n : dataType === "bool" ? 0 : 0;
    const c = await make(config);
    const bytes = await c.encode(data, spec(dataType, shape, fill), ctx);
    assert.equal(values(await c.decode(shifted(bytes, 5), spec(dataType, shape, fill), ctx)), values(data), JSON.stringify(config));
  }
});

test("strings: vlen-utf8 inner chunks, missing ones read as the fill string", async () => {
  const c = await make({ chunk_shape: [2, 2], codecs: [{ name: "vlen-utf8", configuration: {} }, { name: "zstd", configuration: { level: 3 } }], index_codecs: INDEX });
  const data = ["", "", "a", "b", "", "", "ç", "🌍", "x", "y", "", ""];
  const s = spec("string", [2, 6], "");
  const bytes = await c.encode(data, s, ctx);
  assert.equal(await c.decode(bytes, s, ctx), data);
  assert.equal(await c.decode(bytes, spec("string", [2, 6], "?"), ctx), data.map((v, i) => (i % 6 >= 4 ? "?" : v)));
  const empty = await c.encode(new Array<string>(12).fill(""), s, ctx);
  assert.equal(await c.decode(empty, spec("string", [2, 6], "0"), ctx), new Array<string>(12).fill("0"));
});

test("fill comparison: NaN matches NaN, -0 does not match 0", async () => {
  const c = await make({ chunk_shape: [2], index_codecs: INDEX });
  const stored = async (data: Float32Array, fill: number) => (await c.encode(data, spec("float32", [4], fill), ctx)).length - 36;
  assert.is(await stored(Float32Array.of(NaN, NaN, 1, NaN), NaN), 8);
  assert.is(await stored(Float32Array.of(-0, 0, 0, 0), 0), 8);
  assert.is(await stored(Float32Array.of(-0, -0, 0, 0), -0), 8);
  assert.is(await stored(Float32Array.of(0.1, 0.1, 0.1, 0.1), 0.1), 0, "float32 fill compared after rounding");
});

test("nested sharding and an empty shard, through the pipeline", async () => {
  const inner = { name: "sharding_indexed", configuration: { chunk_shape: [2], codecs: [BYTES_LE], index_codecs: INDEX } };
  const p = await CodecPipeline.create([{ name: "sharding_indexed", configuration: { chunk_shape: [4], codecs: [inner], index_codecs: INDEX } }], spec("uint16", [8]), FILE);
  const data = Uint16Array.of(1, 2, 0, 0, 0, 0, 7, 8);
  assert.equal(values(await p.decode(await p.encode(data, ctx), ctx)), values(data));
  const c = await make({ chunk_shape: [2], index_codecs: INDEX });
  const none = await c.encode(new Int8Array(0), spec("int8", [0]), ctx);
  assert.is(none.length, 4);
  assert.is((await c.decode(none, spec("int8", [0]), ctx)).length, 0);
});

test.run();
