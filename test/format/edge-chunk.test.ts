/**
 * The last chunk along rows, partly outside the array: zarr-python stores it
 * whole (padded), and a reader here decompresses only the rows inside the
 * array (a 100-row RAT in chunks of 500000 decodes 100 rows, not 500000).
 * What that must not change: the values read, what a write of that chunk
 * stores (padded with the fill value, every backend alike), and what a grow
 * of the array then shows (what is stored past the old end, as a fresh handle
 * reads it). And the decoder itself: libzstd stopping early gives exactly the
 * first bytes of the whole frame.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRequire } from "node:module";
import { nodeRuntime } from "../../src/node/index.js";
import { ZarrArray, type ArrayOptions } from "../../src/format/array.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { standardCodecs, type CodecRegistry } from "../../src/codecs/registry.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { parseArrayMetadata } from "../../src/format/metadata.js";
import { watchedStringCodecs } from "../helpers/watched-codecs.js";
import type { BytesToBytesCodec } from "../../src/codecs/codec.js";

const backends: [string, () => CodecRegistry][] = [
  ["native", () => nodeRuntime({ zstd: "native" }).codecs],
  ["wasm", () => standardCodecs()],
];

const seq = (n: number, from: number) => Float64Array.from({ length: n }, (_, i) => from + i + 0.25);

/** Chunk `key` of the array at "a" decoded whole, as any reader decodes a stored chunk (no rows hint). */
async function storedChunk(store: MemoryStore, key: string, codecs: CodecRegistry): Promise<Float64Array> {
  const meta = parseArrayMetadata((await store.get("a/zarr.json"))!, "a/zarr.json");
  const pipeline = await CodecPipeline.create(meta.codecs, { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue }, "a/zarr.json", { codecs });
  return (await pipeline.decode((await store.get(key))!, { key })) as Float64Array;
}

for (const [name, codecs] of backends) {
  const options = (): ArrayOptions => ({ codecs: codecs() });

  test(`${name}: the rows of the edge chunk read right, alone and with the chunks before it`, async () => {
    const store = new MemoryStore();
    const a = await ZarrArray.create(store, "a", { shape: [250], dataType: "float64", chunkShape: [100], fillValue: -1 }, options());
    await a.write(0, seq(250, 0));
    const r = await ZarrArray.open(store, "a", options());
    assert.equal(await r.read(249, 250), seq(1, 249));
    assert.equal(await r.read(200, 250), seq(50, 200));
    assert.equal(await r.read(150, 250), seq(100, 150));
    assert.equal(await r.read(), seq(250, 0));
  });

  test(`${name}: a write into an edge chunk read in part stores the chunk whole, padded with the fill value`, async () => {
    const store = new MemoryStore();
    const a = await ZarrArray.create(store, "a", { shape: [250], dataType: "float64", chunkShape: [100], fillValue: -1 }, options());
    await a.write(0, seq(250, 0));
    await a.read(210, 211);    // the edge chunk, decoded in part, now cached
    await a.write(240, seq(5, 1000));
    const chunk = await storedChunk(store, "a/c/2", codecs());
    assert.is(chunk.length, 100);
    assert.equal(chunk.subarray(0, 40), seq(40, 200));
    assert.equal(chunk.subarray(40, 45), seq(5, 1000));
    assert.equal(chunk.subarray(45, 50), seq(5, 245));
    assert.equal(chunk.subarray(50), new Float64Array(50).fill(-1), "padding: the fill value");
  });

  test(`${name}: after a grow, rows past the old end read what is stored there, as a fresh handle reads them`, async () => {
    const store = new MemoryStore();
    // Rows 250-299 of the stored chunk hold 7s: a writer that shrank the array without clearing them.
    const w = await ZarrArray.create(store, "a", { shape: [300], dataType: "float64", chunkShape: [100], fillValue: 0 }, options());
    await w.write(0, Float64Array.from({ length: 300 }, (_, i) => (i < 250 ? i + 0.25 : 7)));
    const doc = JSON.parse(new TextDecoder().decode((await store.get("a/zarr.json"))!)) as { shape: number[] };
    doc.shape = [250];
    await store.set("a/zarr.json", new TextEncoder().encode(JSON.stringify(doc)));
    const r = await ZarrArray.open(store, "a", options());
    assert.equal(await r.read(200, 250), seq(50, 200));
    assert.equal(await r.read(210, 211), seq(1, 210));    // a part of it: the edge chunk cached, rows 200-249 only
    await r.resize([300]);
    const fresh = await ZarrArray.open(store, "a", options());
    const want = await fresh.read(250, 300);
    assert.equal(want, new Float64Array(50).fill(7));
    assert.equal(await r.read(250, 300), want, "the handle that grew reads the same rows as a fresh one");
    assert.equal(await r.read(0, 300), await fresh.read(0, 300));
  });
}

test("strings: the edge chunk's strings inside the array are made, the rest not; a write pads it with the fill value", async () => {
  const made: number[] = [];
  const codecs = watchedStringCodecs((_, n) => made.push(n));
  const words = (n: number, from: number) => Array.from({ length: n }, (_, i) => `w${from + i}${(from + i) % 3 === 0 ? "é" : ""}`);
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "a", { shape: [250], dataType: "string", chunkShape: [100], fillValue: "-" }, { codecs });
  await a.write(0, words(250, 0));
  const r = await ZarrArray.open(store, "a", { codecs, readAhead: 0 });
  assert.equal(await r.read(200, 250), words(50, 200));
  assert.equal(made, [50], "50 strings made of the edge chunk's 100");
  assert.equal(await r.read(0, 250), words(250, 0));
  await r.read(220, 221);
  await r.write(230, ["new"]);
  const meta = parseArrayMetadata((await store.get("a/zarr.json"))!, "a/zarr.json");
  const pipeline = await CodecPipeline.create(meta.codecs, { shape: meta.chunkShape, dataType: meta.dataType, fillValue: meta.fillValue }, "a/zarr.json", { codecs: standardCodecs() });
  const stored = (await pipeline.decode((await store.get("a/c/2"))!, { key: "a/c/2" })) as string[];
  assert.equal(stored, [...words(30, 200), "new", ...words(19, 231), ...new Array<string>(50).fill("-")]);
});

test("zstd asked for the first bytes of a chunk stored as two frames (another writer's) gives just those, on every backend", async () => {
  for (const [name, codecs] of backends) {
    const zstd = (await codecs().create("zstd", { level: 3, checksum: false }, "f")) as BytesToBytesCodec;
    const data = new Uint8Array(new Float64Array(100_000).map((_, i) => i * 0.5).buffer);
    const half = data.byteLength / 2;
    const a = await zstd.encode(data.subarray(0, half), { key: "k" });
    const b = await zstd.encode(data.subarray(half), { key: "k" });
    const two = new Uint8Array(a.byteLength + b.byteLength);
    two.set(a);
    two.set(b, a.byteLength);
    for (const needed of [8, half + 8]) {
      const out = await zstd.decode(two, { key: "k", decodedSize: data.byteLength, maxDecodedSize: data.byteLength, neededBytes: needed });
      assert.ok(Buffer.from(out).equals(data.subarray(0, needed)), `${name}: first ${needed} bytes of two frames`);
    }
  }
});

test("libzstd stopping early gives exactly the first bytes of the whole frame; a frame shorter than asked is an error", async () => {
  const require = createRequire(import.meta.url);
  const { createEngine } = require("../../src/node/zstd-engine.cjs") as { createEngine(binding: unknown, main: unknown): { compress(d: Uint8Array, l: number, c: boolean): Uint8Array; decompress(f: Uint8Array, size: number, needed?: number): Uint8Array } };
  const engine = createEngine(require("zstd-napi/binding"), require("zstd-napi"));
  const data = new Uint8Array(new Float64Array(500_000).map((_, i) => (i < 100_000 ? Math.sin(i) : 0)).buffer);
  const frame = engine.compress(data, 3, false);
  for (const needed of [1, 8, 131_072, 800_000, 800_001, 3_999_999]) {
    const out = engine.decompress(frame, data.byteLength, needed);
    assert.is(out.byteLength, needed);
    assert.ok(Buffer.from(out).equals(data.subarray(0, needed)), `first ${needed} bytes`);
  }
  // The context is reset after stopping mid-frame: a whole decode afterwards is right.
  assert.ok(Buffer.from(engine.decompress(frame, data.byteLength)).equals(data));
  assert.throws(() => engine.decompress(frame.subarray(0, 200), data.byteLength, 800_000), /frame ends after|Unknown frame|corrupt|error/i);
});

test.run();
