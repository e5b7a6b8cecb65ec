import { test } from "uvu";
import * as assert from "uvu/assert";
import { createTransposeCodec } from "../../src/codecs/transpose.js";
import type { ChunkSpec } from "../../src/codecs/codec.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import type { DataType } from "../../src/data-types.js";
import { CodecError, MetadataError } from "../../src/errors.js";
import { rejectsWith as rejects } from "../helpers/bytes.js";

const spec = (dataType: DataType, shape: number[], fillValue: number | bigint | string = 0): ChunkSpec => ({ shape, dataType, fillValue });
const ctx = { key: "t/c/0/0" };
const FILE = "t/zarr.json";

/** The spec's definition, element by element: B[B_pos] = A[A_pos] with B_pos[i] = A_pos[order[i]]. */
function naive<T>(a: ArrayLike<T>, shape: number[], order: number[]): T[] {
  const bShape = order.map((o) => shape[o]!);
  const n = shape.reduce((x, y) => x * y, 1);
  const out = new Array<T>(n);
  for (let flat = 0; flat < n; flat++) {
    const aPos: number[] = [];
    for (let d = shape.length - 1, r = flat; d >= 0; d--) {
      aPos[d] = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
    }
    const bPos = order.map((o) => aPos[o]!);
    let bFlat = 0;
    for (let d = 0; d < bShape.length; d++) bFlat = bFlat * bShape[d]! + bPos[d]!;
    out[bFlat] = a[flat]!;
  }
  return out;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

test("configuration: order must be a permutation (or C / F)", () => {
  for (const order of [[0, 0], [1, 2], [0.5, 1], "X", null, [-1, 0], ["0", "1"]]) {
    assert.throws(() => createTransposeCodec({ order: order as never }, FILE), (e: Error) => e instanceof MetadataError && e.message.includes(FILE));
  }
  assert.throws(() => createTransposeCodec({}, FILE), (e: Error) => e instanceof MetadataError);
});

test("encodedSpec: encoded axis i is decoded axis order[i]", () => {
  const c = createTransposeCodec({ order: [2, 0, 1] }, FILE);
  assert.equal(c.encodedSpec(spec("int8", [2, 3, 4])).shape, [4, 2, 3]);
  assert.equal(createTransposeCodec({ order: "F" }, FILE).encodedSpec(spec("int8", [2, 3, 4])).shape, [4, 3, 2]);
  assert.equal(createTransposeCodec({ order: "C" }, FILE).encodedSpec(spec("int8", [2, 3, 4])).shape, [2, 3, 4]);
  assert.throws(() => c.encodedSpec(spec("int8", [2, 3])), (e: Error) => e instanceof MetadataError && /3 entries/.test(e.message));
});

test("2-d transpose of hand-written values", async () => {
  const c = createTransposeCodec({ order: [1, 0] }, FILE);
  const enc = await c.encode(Int32Array.of(0, 1, 2, 3, 4, 5), spec("int32", [2, 3]), ctx);
  assert.equal(Array.from(enc as Int32Array), [0, 3, 1, 4, 2, 5]);
  const dec = await c.decode(enc, spec("int32", [2, 3]), ctx);
  assert.equal(Array.from(dec as Int32Array), [0, 1, 2, 3, 4, 5]);
});

test("matches zarr-python 3.1.6: order [2, 0, 1] on arange(24) of shape [2, 3, 4]", async () => {
  // Chunk bytes written by zarr-python (TransposeCodec(order=[2, 0, 1]), BytesCodec, int8).
  const stored = "0004080c10140105090d111502060a0e121603070b0f1317";
  const p = await CodecPipeline.create([{ name: "transpose", configuration: { order: [2, 0, 1] } }, { name: "bytes" }], spec("int8", [2, 3, 4]), FILE);
  const a = Int8Array.from({ length: 24 }, (_, i) => i);
  const bytes = await p.encode(a, ctx);
  assert.is(Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""), stored);
  assert.equal(Array.from((await p.decode(bytes, ctx)) as Int8Array), Array.from(a));
});

test("every permutation of rank 3 and some of rank 4 match the spec's definition", async () => {
  const shapes: Record<number, number[]> = { 3: [2, 3, 4], 4: [3, 1, 5, 2] };
  for (const rank of [3, 4]) {
    const shape = shapes[rank]!;
    const n = shape.reduce((x, y) => x * y, 1);
    const a = Float64Array.from({ length: n }, (_, i) => i * 1.5);
    for (const order of permutations(rank)) {
      const c = createTransposeCodec({ order }, FILE);
      const s = spec("float64", shape);
      const enc = await c.encode(a, s, ctx);
      assert.equal(Array.from(enc as Float64Array), naive(a, shape, order), `order ${order}`);
      assert.equal(Array.from((await c.decode(enc, s, ctx)) as Float64Array), Array.from(a));
    }
  }
});

test("F reverses the axes; C is a no-op", async () => {
  const a = Uint8Array.from({ length: 24 }, (_, i) => i);
  const f = await createTransposeCodec({ order: "F" }, FILE).encode(a, spec("uint8", [2, 3, 4]), ctx);
  assert.equal(Array.from(f as Uint8Array), naive(a, [2, 3, 4], [2, 1, 0]));
  assert.is(await createTransposeCodec({ order: "C" }, FILE).encode(a, spec("uint8", [2, 3, 4]), ctx), a);
});

test("strings and bigints", async () => {
  const c = createTransposeCodec({ order: [1, 0] }, FILE);
  const s = await c.encode(["a", "b", "c", "d", "e", "f"], spec("string", [3, 2], ""), ctx);
  assert.equal(s, ["a", "c", "e", "b", "d", "f"]);
  assert.equal(await c.decode(s, spec("string", [3, 2], ""), ctx), ["a", "b", "c", "d", "e", "f"]);
  const b = await c.encode(BigInt64Array.of(1n, 2n, 3n, 4n), spec("int64", [2, 2], 0n), ctx);
  assert.instance(b, BigInt64Array);
  assert.equal(Array.from(b as BigInt64Array), [1n, 3n, 2n, 4n]);
});

test("typed array that is a view at a non-zero byteOffset", async () => {
  const buf = new Int16Array(10).map((_, i) => i * 10);
  const view = buf.subarray(3, 9); // 30..80
  const enc = await createTransposeCodec({ order: [1, 0] }, FILE).encode(view, spec("int16", [2, 3]), ctx);
  assert.equal(Array.from(enc as Int16Array), [30, 60, 40, 70, 50, 80]);
});

test("empty chunk and rank 1 and 0", async () => {
  const c = createTransposeCodec({ order: [1, 0] }, FILE);
  const e = await c.encode(new Float32Array(0), spec("float32", [0, 3]), ctx);
  assert.is(e.length, 0);
  assert.equal(c.encodedSpec(spec("float32", [0, 3])).shape, [3, 0]);
  const one = createTransposeCodec({ order: [0] }, FILE);
  assert.equal(Array.from((await one.encode(Int8Array.of(1, 2), spec("int8", [2]), ctx)) as Int8Array), [1, 2]);
  const zero = createTransposeCodec({ order: [] }, FILE);
  assert.equal(Array.from((await zero.decode(Int8Array.of(7), spec("int8", []), ctx)) as Int8Array), [7]);
});

test("wrong element count is a CodecError naming the key", async () => {
  await rejects(() => createTransposeCodec({ order: [1, 0] }, FILE).decode(new Int8Array(5), spec("int8", [2, 3]), ctx), CodecError, /t\/c\/0\/0/, /5 elements/, /expected 6/);
});

test("pipeline: transpose then bytes, stored bytes hand-checked, truncated and offset input", async () => {
  const s = spec("int8", [2, 3]);
  const p = await CodecPipeline.create([{ name: "transpose", configuration: { order: [1, 0] } }, { name: "bytes" }], s, FILE);
  const bytes = await p.encode(Int8Array.of(1, 2, 3, 4, 5, 6), ctx);
  assert.equal(Array.from(bytes), [1, 4, 2, 5, 3, 6]);
  const buf = new Uint8Array(9).fill(99);
  buf.set([1, 4, 2, 5, 3, 6], 2);
  assert.equal(Array.from((await p.decode(buf.subarray(2, 8), ctx)) as Int8Array), [1, 2, 3, 4, 5, 6]);
  await rejects(() => p.decode(Uint8Array.of(1, 4, 2), ctx), CodecError, /t\/c\/0\/0/, /3 bytes/);
  const odd = spec("uint16", [3, 1, 5]);
  const p3 = await CodecPipeline.create([{ name: "transpose", configuration: { order: [2, 0, 1] } }, { name: "bytes", configuration: { endian: "big" } }], odd, FILE);
  const data = Uint16Array.from({ length: 15 }, (_, i) => i * 1000 + 7);
  assert.equal(Array.from((await p3.decode(await p3.encode(data, ctx), ctx)) as Uint16Array), Array.from(data));
});

test.run();
