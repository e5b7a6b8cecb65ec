import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ZarrArray } from "../../src/format/array.js";
import { ZarrGroup } from "../../src/format/group.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { type DataType, type ChunkData, allocate } from "../../src/data-types.js";
import type { CodecMetadata } from "../../src/codecs/codec.js";
import { BoundsError, CodecError, NodeError, ReadOnlyError } from "../../src/errors.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { CountingStore } from "../helpers/counting-store.js";

const t = suite("ZarrArray");

/** Deterministic sample data for a data type: n elements, some equal to the fill value. */
function sample(dt: DataType, n: number, seed = 1): ChunkData {
  const a = allocate(dt, n);
  for (let i = 0; i < n; i++) {
    const k = (i * 7919 + seed * 104729) % 1000;
    switch (dt) {
      case "string": (a as string[])[i] = k % 5 === 0 ? "" : k % 5 === 1 ? `héllo ${k} 🌍` : `s${k}`; break;
      case "bool": (a as Uint8Array)[i] = k % 2; break;
      case "int64": (a as BigInt64Array)[i] = BigInt(k - 500) * 12345678901234n; break;
      case "uint64": (a as BigUint64Array)[i] = BigInt(k) * 18446744073709551n; break;
      case "float32": case "float64": (a as Float64Array)[i] = k % 3 === 0 ? 0 : (k - 500) / 7; break;
      case "int8": (a as Int8Array)[i] = (k % 256) - 128; break;
      default: (a as Int32Array)[i] = k;
    }
  }
  return a;
}

const same = (a: ChunkData, b: ChunkData, msg?: string) => assert.equal(Array.from(a as ArrayLike<unknown>), Array.from(b as ArrayLike<unknown>), msg);

const DTYPES: DataType[] = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string"];

for (const dt of DTYPES) {
  t(`round trip ${dt}: default codecs, ragged last chunk, width 1 and 3`, async () => {
    const store = new MemoryStore();
    for (const width of [1, 3]) {
      const shape = width === 1 ? [23] : [23, width];
      const chunkShape = width === 1 ? [5] : [5, width];
      const a = await ZarrArray.create(store, `col${width}`, { shape, dataType: dt, chunkShape });
      const data = sample(dt, 23 * width);
      await a.write(0, data as never);
      const b = await ZarrArray.open(store, `col${width}`);
      same(await b.read(), data);
      same(await b.read(7, 19), (data as Int32Array).slice(7 * width, 19 * width));
      // Edge chunk stored at full size (padded with fill).
      const last = (await store.get(width === 1 ? "col1/c/4" : "col3/c/4/0"))!;
      const decoded = await (await CodecPipeline.create(b.metadata.codecs, { shape: chunkShape, dataType: dt, fillValue: b.fillValue }, "f")).decode(last, { key: "k" });
      assert.is(decoded.length, 5 * width);
    }
  });
}

const CODEC_CASES: Record<string, CodecMetadata[]> = {
  "bytes big-endian": [{ name: "bytes", configuration: { endian: "big" } }],
  gzip: [{ name: "bytes", configuration: { endian: "little" } }, { name: "gzip", configuration: { level: 5 } }],
  crc32c: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }],
  "zstd+crc32c": [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 3, checksum: true } }, { name: "crc32c" }],
  blosc: [{ name: "bytes", configuration: { endian: "little" } }, { name: "blosc", configuration: { cname: "lz4", clevel: 5, shuffle: "shuffle", typesize: 4, blocksize: 0 } }],
  transpose: [{ name: "transpose", configuration: { order: [1, 0] } }, { name: "bytes", configuration: { endian: "little" } }],
  sharding: [{ name: "sharding_indexed", configuration: { chunk_shape: [2, 3], codecs: [{ name: "bytes", configuration: { endian: "little" } }], index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }], index_location: "end" } }],
};

for (const [name, codecs] of Object.entries(CODEC_CASES)) {
  t(`round trip through ${name}, 2-d with a ragged last chunk`, async () => {
    const store = new MemoryStore();
    const a = await ZarrArray.create(store, "x", { shape: [21, 3], dataType: "int32", chunkShape: [6, 3], codecs });
    const data = sample("int32", 63);
    await a.write(0, data as Int32Array);
    await a.write(4, Int32Array.from([-1, -2, -3, -4, -5, -6]));
    (data as Int32Array).set([-1, -2, -3, -4, -5, -6], 12);
    same(await (await ZarrArray.open(store, "x")).read(), data);
    same(await a.read(3, 9), (data as Int32Array).slice(9, 27));
  });
}

t("round trip float64 and string through every compressor", async () => {
  for (const dt of ["float64", "string"] as const) {
    for (const comp of [{ name: "gzip", configuration: { level: 1 } }, { name: "zstd", configuration: { level: 0, checksum: false } }, { name: "crc32c" }]) {
      const store = new MemoryStore();
      const first: CodecMetadata = dt === "string" ? { name: "vlen-utf8", configuration: {} } : { name: "bytes", configuration: { endian: "little" } };
      const a = await ZarrArray.create(store, "x", { shape: [17], dataType: dt, chunkShape: [4], codecs: [first, comp] });
      const data = sample(dt, 17);
      await a.write(0, data as never);
      same(await a.read(), data, `${dt} ${comp.name}`);
    }
  }
});

t("missing chunks read as the fill value; all-fill chunks are not stored, and an existing one is deleted", async () => {
  const store = new CountingStore();
  const a = await ZarrArray.create(store, "x", { shape: [10], dataType: "float32", chunkShape: [4], fillValue: NaN });
  const r = await a.read();
  assert.ok(Array.from(r).every(Number.isNaN));
  await a.write(0, Float32Array.from([1, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN]));
  assert.equal(store.chunkKeys("x/"), ["x/c/0"]);
  await a.write(0, Float32Array.from([NaN]));
  assert.equal(store.chunkKeys("x/"), []);
  // -0.0 is not the fill value 0.0: its chunk is kept.
  const z = await ZarrArray.create(store, "z", { shape: [4], dataType: "float64", chunkShape: [4] });
  await z.write(0, Float64Array.from([-0, 0, 0, 0]));
  assert.equal(store.chunkKeys("z/"), ["z/c/0"]);
  assert.ok(Object.is((await z.read())[0], -0));
});

t("a non-zero fill value fills missing chunks and the padding", async () => {
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "x", { shape: [7], dataType: "int16", chunkShape: [3], fillValue: -9 });
  await a.write(3, Int16Array.from([1, 2]));
  same(await a.read(), Int16Array.from([-9, -9, -9, 1, 2, -9, -9]));
  const s = await ZarrArray.create(store, "s", { shape: [5], dataType: "string", chunkShape: [2], fillValue: "0" });
  await s.write(1, ["a"]);
  same(await s.read(), ["0", "a", "0", "0", "0"]);
  const big = await ZarrArray.create(store, "b", { shape: [3], dataType: "int64", chunkShape: [2], fillValue: 4611686018427387905n });
  await big.write(0, BigInt64Array.from([1n]));
  same(await (await ZarrArray.open(store, "b")).read(), BigInt64Array.from([1n, 4611686018427387905n, 4611686018427387905n]));
});

t("small blocks: each chunk starts from the fill value, though the engine reuses a stored chunk's array", async () => {
  for (const [dataType, fillValue, codecs] of [
    ["int16", -9, undefined],
    ["float64", NaN, undefined],
    ["float64", -0, [{ name: "bytes", configuration: { endian: "little" } }]],
  ] as const) {
    const store = new MemoryStore();
    const a = await ZarrArray.create(store, "x", { shape: [40], dataType, chunkShape: [10], fillValue, codecs: codecs as CodecMetadata[] | undefined });
    const expected = allocate(dataType, 40, fillValue) as Float64Array;
    const put = async (start: number, n: number) => {
      const block = allocate(dataType, n) as Float64Array;
      for (let i = 0; i < n; i++) expected[start + i] = block[i] = start + i + 1;
      await a.write(start, block as never);
    };
    // Chunk 0 whole in two blocks (stored, then its array is free), then parts of chunks 1-3,
    // each ending with its chunk's last rows (so stored and freed in turn): their other rows
    // must read as the fill value, not as the rows of the chunk stored before.
    await put(0, 5);
    await put(5, 5);
    await put(13, 7);
    await put(26, 4);
    await put(31, 2);
    await put(35, 5);
    const msg = `${dataType}, fill ${fillValue}`;
    same(await a.read(), expected, msg);
    // And what was stored is what a fresh handle reads.
    same(await (await ZarrArray.open(store, "x")).read(), expected, msg);
  }
});

t("fast path: whole-chunk writes read nothing; whole-chunk reads skip the cache", async () => {
  const store = new CountingStore();
  const a = await ZarrArray.create(store, "x", { shape: [100], dataType: "float64", chunkShape: [10] });
  store.reset();
  await a.write(0, Float64Array.from({ length: 100 }, (_, i) => i + 0.5));
  assert.is(store.gets, 0);
  assert.is(store.sets, 10);
  store.reset();
  await a.read(0, 100);
  await a.read(0, 100);
  assert.is(store.gets, 20, "aligned reads are not cached");
});

t("a run of small blocks inside one chunk decodes it once", async () => {
  const store = new CountingStore();
  const a = await ZarrArray.create(store, "x", { shape: [100], dataType: "int32", chunkShape: [50] });
  await a.write(0, Int32Array.from({ length: 100 }, (_, i) => i));
  store.reset();
  for (let i = 0; i < 50; i += 5) await a.write(i, Int32Array.from([1, 2, 3, 4, 5]));
  assert.is(store.gets, 1, "one read for ten partial writes");
  assert.is(store.sets, 10);
  store.reset();
  for (let i = 50; i < 100; i += 5) await a.read(i, i + 5);
  assert.is(store.gets, 1, "one read for ten partial reads");
});

t("streaming in unaligned blocks does not fill the cache; random small reads stay cached", async () => {
  const { LruChunkCache } = await import("../../src/format/chunk-cache.js");
  const store = new CountingStore();
  const cache = new LruChunkCache(1 << 30);
  const a = await ZarrArray.create(store, "x", { shape: [1000], dataType: "float64", chunkShape: [100] }, { cache });
  for (let s = 0; s < 1000; s += 30) await a.write(s, new Float64Array(Math.min(30, 1000 - s)).fill(s + 1));
  assert.ok(cache.size <= 2 * 800, `cache holds ${cache.size} bytes after a sequential unaligned write`);
  for (let s = 0; s < 1000; s += 30) await a.read(s, Math.min(1000, s + 30));
  assert.ok(cache.size <= 2 * 800, `cache holds ${cache.size} bytes after a sequential unaligned read`);
  store.reset();
  const rows = [5, 250, 5, 250, 777, 5, 250, 777];
  for (const r of rows) await a.read(r, r + 1);
  assert.is(store.gets, 3, "each chunk of a random single-row read is decoded once");
});

t("Promise.all over many unaligned blocks through one handle loses nothing", async () => {
  const store = new CountingStore(1);
  const a = await ZarrArray.create(store, "x", { shape: [1000], dataType: "int32", chunkShape: [64] });
  const blocks: Promise<void>[] = [];
  for (let start = 0; start < 1000; start += 7) {
    const n = Math.min(7, 1000 - start);
    blocks.push(a.write(start, Int32Array.from({ length: n }, (_, i) => start + i + 1)));
  }
  await Promise.all(blocks);
  const fresh = await ZarrArray.open(store, "x");
  same(await fresh.read(), Int32Array.from({ length: 1000 }, (_, i) => i + 1));
});

t("chunk I/O concurrency is bounded and configurable", async () => {
  for (const concurrency of [1, 3, 8]) {
    const store = new CountingStore(2);
    const a = await ZarrArray.create(store, "x", { shape: [200], dataType: "uint8", chunkShape: [10] }, { concurrency });
    store.reset();
    await a.write(0, new Uint8Array(200).fill(1));
    assert.is(store.peakInFlight, concurrency);
    store.reset();
    await a.read();
    assert.is(store.peakInFlight, concurrency);
  }
});

t("resize: deletes chunks outside, clears the cut tail, a grow reads fill", async () => {
  const store = new CountingStore();
  const a = await ZarrArray.create(store, "x", { shape: [20], dataType: "int32", chunkShape: [6] });
  await a.write(0, Int32Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(store.chunkKeys("x/"), ["x/c/0", "x/c/1", "x/c/2", "x/c/3"]);
  await a.resize([8]);
  assert.equal(store.chunkKeys("x/"), ["x/c/0", "x/c/1"]);
  assert.equal((await ZarrArray.open(store, "x")).shape, [8]);
  await a.resize([20]);
  same(await a.read(), Int32Array.from({ length: 20 }, (_, i) => (i < 8 ? i + 1 : 0)));
  same(await (await ZarrArray.open(store, "x")).read(), Int32Array.from({ length: 20 }, (_, i) => (i < 8 ? i + 1 : 0)));
  // shrink to a chunk boundary: nothing to clear; to zero: nothing left.
  await a.resize([6]);
  assert.equal(store.chunkKeys("x/"), ["x/c/0"]);
  await a.resize([0]);
  assert.equal(store.chunkKeys("x/"), []);
  same(await a.read(), new Int32Array(0));
  store.reset();
  await a.resize([0]);
  assert.is(store.sets + store.deletes, 0, "same shape writes nothing");
});

t("resize of a 2-d array keeps the width", async () => {
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "x", { shape: [5, 2], dataType: "uint16", chunkShape: [2, 2] });
  await a.write(0, Uint16Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  await a.resize([3, 2]);
  await a.resize([6, 2]);
  same(await a.read(), Uint16Array.from([1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0]));
  assert.equal([...store.data.keys()].filter((k) => k.includes("/c/")).sort(), ["x/c/0/0", "x/c/1/0"]);
});

t("bad blocks are BoundsErrors naming the array and the numbers", async () => {
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "RAT/area", { shape: [100, 2], dataType: "float32", chunkShape: [10, 2] });
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => a.write(0, new Float64Array(4) as never), /needs a Float32Array, got a Float64Array/],
    [() => a.write(0, new Float32Array(3)), /3 elements is not a whole number of rows of 2/],
    [() => a.write(95, new Float32Array(12)), /rows 95 to 101 of 100/],
    [() => a.write(-1, new Float32Array(2)), /rows -1 to 0 of 100/],
    [() => a.read(50, 101), /rows 50 to 101 of 100/],
    [() => a.read(3, 2), /rows 3 to 2/],
    [() => a.read(0.5, 2), /rows 0.5 to 2/],
  ];
  for (const [call, pattern] of cases) {
    try {
      await call();
      assert.unreachable(String(pattern));
    } catch (e) {
      assert.instance(e, BoundsError);
      assert.match((e as Error).message, "RAT/area");
      assert.match((e as Error).message, pattern);
    }
  }
  assert.equal(store.data.size, 1, "nothing but zarr.json stored");
});

t("a corrupted chunk is a CodecError naming its key", async () => {
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "x", { shape: [8], dataType: "int32", chunkShape: [4] });
  await a.write(0, Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  store.data.set("x/c/1", store.data.get("x/c/1")!.subarray(0, 5));
  try {
    await a.read();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, CodecError);
    assert.match((e as Error).message, "x/c/1");
  }
});

t("a write resolves only once its bytes are in the store", async () => {
  const store = new CountingStore(5);
  const a = await ZarrArray.create(store, "x", { shape: [10], dataType: "uint32", chunkShape: [10] });
  await a.write(0, Uint32Array.from({ length: 10 }, (_, i) => i + 100));
  assert.ok(store.data.has("x/c/0"));
  assert.is(store.inFlight, 0);
});

t("read-only handles and existing nodes", async () => {
  const store = new MemoryStore();
  await ZarrArray.create(store, "x", { shape: [4], dataType: "int8", chunkShape: [2] });
  await assert_rejects(() => ZarrArray.create(store, "x", { shape: [4], dataType: "int8", chunkShape: [2] }), NodeError, /already exists/);
  const ro = await ZarrArray.open(store, "x", { readOnly: true });
  await assert_rejects(() => ro.write(0, new Int8Array(2)), ReadOnlyError, /read-only/);
  await assert_rejects(() => ro.resize([2]), ReadOnlyError, /read-only/);
  await assert_rejects(() => ro.setAttributes({ a: 1 }), ReadOnlyError, /read-only/);
  await assert_rejects(() => ZarrArray.open(store, "nope"), NodeError, /zarr.json is missing/);
  await assert_rejects(() => ZarrArray.create(store, "__bad", { shape: [1], dataType: "int8", chunkShape: [1] }), Error, /must not start with '__'/);
});

t("attributes: set, update re-reads what another handle wrote", async () => {
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "x", { shape: [4], dataType: "int8", chunkShape: [2], attributes: { MODIFICATIONLOG: [] } });
  const b = await ZarrArray.open(store, "x");
  await b.setAttributes({ MODIFICATIONLOG: [], other: "from b" });
  await a.updateAttributes((attrs) => ({ ...attrs, mine: 1 }));
  assert.equal((await ZarrArray.open(store, "x")).attributes, { MODIFICATIONLOG: [], other: "from b", mine: 1 });
});

t("groups: create, open, children, attributes", async () => {
  const store = new MemoryStore();
  await ZarrGroup.create(store, "");
  const rat = await ZarrGroup.create(store, "RAT", { ROWCOUNT: 0, CHUNKSIZE: 500000 });
  await ZarrArray.create(store, "RAT/b", { shape: [1], dataType: "int8", chunkShape: [1] });
  await ZarrArray.create(store, "RAT/a", { shape: [1], dataType: "int8", chunkShape: [1] });
  await store.set("RAT/stray/file", new Uint8Array(1));
  assert.equal(await rat.children(), ["a", "b"]);
  await rat.updateAttributes((x) => ({ ...x, ROWCOUNT: 5 }));
  assert.equal((await ZarrGroup.open(store, "RAT")).attributes, { ROWCOUNT: 5, CHUNKSIZE: 500000 });
  assert.is(new TextDecoder().decode(store.data.get("zarr.json")), '{\n  "attributes": {},\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  await assert_rejects(() => ZarrGroup.open(store, "RAT/a"), Error, /expected a group, found an array/);
});

async function assert_rejects(fn: () => Promise<unknown>, cls: new (...a: never[]) => Error, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, cls);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`no error matching ${pattern}`);
}

t.run();
