import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBytesCodec } from "../../src/codecs/bytes.js";
import type { ChunkSpec } from "../../src/codecs/codec.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import type { ChunkData, DataType, NumericDataType } from "../../src/data-types.js";
import { CodecError, MetadataError } from "../../src/errors.js";
import { hex, rejectsWith as rejects, shifted } from "../helpers/bytes.js";

/** A copy of `b` inside a larger buffer, starting at byte `by`. */
const spec = (dataType: DataType, shape: number[], fillValue: number | bigint | boolean | string = 0): ChunkSpec => ({ shape, dataType, fillValue });
const ctx = { key: "arr/c/0" };
const le = createBytesCodec({ endian: "little" }, "arr/zarr.json");
const be = createBytesCodec({ endian: "big" }, "arr/zarr.json");
const plain = createBytesCodec({}, "arr/zarr.json");

test("configuration: bad endian is a MetadataError naming the file", () => {
  assert.throws(() => createBytesCodec({ endian: "middle" }, "a/zarr.json"), (e: Error) => e instanceof MetadataError && /a\/zarr\.json/.test(e.message) && /middle/.test(e.message));
  assert.throws(() => createBytesCodec({ endian: 1 }, "a/zarr.json"), (e: Error) => e instanceof MetadataError);
});

test("int32 little and big endian from hand-built bytes", async () => {
  const l = await le.decode(hex("01000000 ffffffff 00000080"), spec("int32", [3]), ctx);
  assert.equal(Array.from(l as Int32Array), [1, -1, -2147483648]);
  assert.instance(l, Int32Array);
  const b = await be.decode(hex("00000001 ffffffff 80000000"), spec("int32", [3]), ctx);
  assert.equal(Array.from(b as Int32Array), [1, -1, -2147483648]);
});

test("int64, uint64 and float64 decode to their arrays", async () => {
  const i = await le.decode(hex("ffffffffffffffff 0000000000000080"), spec("int64", [2]), ctx);
  assert.instance(i, BigInt64Array);
  assert.equal(Array.from(i as BigInt64Array), [-1n, -(2n ** 63n)]);
  const u = await be.decode(hex("ffffffffffffffff 0000000000000001"), spec("uint64", [2]), ctx);
  assert.equal(Array.from(u as BigUint64Array), [2n ** 64n - 1n, 1n]);
  const f = await be.decode(hex("3ff0000000000000 c000000000000000"), spec("float64", [2]), ctx);
  assert.equal(Array.from(f as Float64Array), [1, -2]);
});

test("bool: any nonzero byte reads as 1; 1-byte types need no endian", async () => {
  const b = await plain.decode(hex("00 01 02 ff"), spec("bool", [4], false), ctx);
  assert.equal(Array.from(b as Uint8Array), [0, 1, 1, 1]);
  const i8 = await plain.decode(hex("80 7f"), spec("int8", [2]), ctx);
  assert.equal(Array.from(i8 as Int8Array), [-128, 127]);
  assert.equal(Array.from(await plain.encode(Uint8Array.of(0, 1, 5), spec("bool", [3], false), ctx)), [0, 1, 1]);
});

test("float16: normals, subnormals, zeros, infinities, NaN, both byte orders", async () => {
  // 1, -2, 65504 (max), 2^-24 (min subnormal), 2^-14 (min normal), -0, +inf, -inf, NaN, 0x03ff (max subnormal)
  const values = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x03ff];
  const expected = [1, -2, 65504, 2 ** -24, 2 ** -14, -0, Infinity, -Infinity, NaN, 1023 * 2 ** -24];
  const little = new Uint8Array(values.flatMap((v) => [v & 0xff, v >> 8]));
  const big = new Uint8Array(values.flatMap((v) => [v >> 8, v & 0xff]));
  for (const [codec, bytes] of [[le, little], [be, big]] as const) {
    const out = (await codec.decode(shifted(bytes, 1), spec("float16", [values.length]), ctx)) as Float32Array;
    assert.instance(out, Float32Array);
    expected.forEach((v, i) => assert.ok(Object.is(out[i], Math.fround(v)), `element ${i}: ${out[i]} vs ${v}`));
  }
  await rejects(() => le.encode(new Float32Array(2), spec("float16", [2]), ctx), CodecError, /float16 is not supported/);
});

test("subarray input: aligned and misaligned byteOffset", async () => {
  const bytes = hex("01000000 02000000 03000000");
  for (const by of [1, 2, 3, 4, 8]) {
    const out = await le.decode(shifted(bytes, by), spec("int32", [3]), ctx);
    assert.equal(Array.from(out as Int32Array), [1, 2, 3], `offset ${by}`);
    const swapped = await be.decode(shifted(hex("00000001 00000002"), by), spec("uint32", [2]), ctx);
    assert.equal(Array.from(swapped as Uint32Array), [1, 2]);
    const f64 = await le.decode(shifted(hex("000000000000f03f"), by), spec("float64", [1]), ctx);
    assert.equal(Array.from(f64 as Float64Array), [1]);
  }
});

test("decode views aligned native-order input without a copy, and copies misaligned or swapped input", async () => {
  // The pipeline's input is private (a decompressor's output or a fresh store read), so a view is safe.
  const aligned = hex("01000000 02000000");
  const view = (await le.decode(aligned, spec("int32", [2]), ctx)) as Int32Array;
  assert.is(view.buffer, aligned.buffer);
  const misaligned = shifted(hex("01000000 02000000"), 1);
  const copied = (await le.decode(misaligned, spec("int32", [2]), ctx)) as Int32Array;
  assert.is.not(copied.buffer, misaligned.buffer);
  assert.equal(Array.from(copied), [1, 2]);
  misaligned[0] = 9;
  assert.is(copied[0], 1);
});

test("wrong length is a CodecError naming the key and both sizes", async () => {
  await rejects(() => le.decode(hex("010000000200"), spec("int32", [2]), ctx), CodecError, /arr\/c\/0/, /6 bytes/, /expected 8/);
  await rejects(() => le.decode(new Uint8Array(0), spec("int32", [2]), ctx), CodecError, /0 bytes/, /expected 8/);
});

test("multi-byte type without endian is a CodecError at decode and encode", async () => {
  await rejects(() => plain.decode(new Uint8Array(4), spec("int16", [2]), ctx), CodecError, /arr\/c\/0/, /endian/);
  await rejects(() => plain.encode(new Int16Array(2), spec("int16", [2]), ctx), CodecError, /endian/);
});

test("string data type is refused; encodedSize is undefined for it", async () => {
  await rejects(() => le.decode(new Uint8Array(0), spec("string", [0], ""), ctx), CodecError, /string/);
  assert.is(le.encodedSize(spec("string", [4], "")), undefined);
  assert.is(le.encodedSize(spec("float64", [3, 5])), 120);
});

test("empty chunk decodes and encodes", async () => {
  const out = await le.decode(new Uint8Array(0), spec("float32", [0, 4]), ctx);
  assert.instance(out, Float32Array);
  assert.is(out.length, 0);
  assert.is((await le.encode(new Float32Array(0), spec("float32", [0, 4]), ctx)).length, 0);
});

test("encode refuses the wrong array type or length", async () => {
  await rejects(() => le.encode(new Float64Array(3), spec("int32", [3]), ctx), CodecError, /Int32Array/, /Float64Array/);
  await rejects(() => le.encode(new Int32Array(2), spec("int32", [3]), ctx), CodecError, /2 elements/, /expected 3/);
});

test("encode copies: editing the array afterwards leaves the bytes alone", async () => {
  const a = Int32Array.of(1, 2);
  const bytes = await le.encode(a, spec("int32", [2]), ctx);
  a[0] = 7;
  assert.equal(Array.from(bytes), [1, 0, 0, 0, 2, 0, 0, 0]);
  assert.equal(Array.from(await be.encode(Int32Array.of(1), spec("int32", [1]), ctx)), [0, 0, 0, 1]);
});

function sample(dataType: NumericDataType, n: number): ChunkData {
  switch (dataType) {
    case "int64": return BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * -123456789012n);
    case "uint64": return BigUint64Array.from({ length: n }, (_, i) => 2n ** 64n - 1n - BigInt(i) * 987654321n);
    case "bool": return Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0);
    case "float32": return Float32Array.from({ length: n }, (_, i) => i / 7 - 3);
    case "float64": return Float64Array.from({ length: n }, (_, i) => i / 7 - 3);
    case "int8": return Int8Array.from({ length: n }, (_, i) => i - 50);
    case "uint8": return Uint8Array.from({ length: n }, (_, i) => i * 3);
    case "int16": return Int16Array.from({ length: n }, (_, i) => i * 301 - 9000);
    case "uint16": return Uint16Array.from({ length: n }, (_, i) => i * 601);
    case "int32": return Int32Array.from({ length: n }, (_, i) => i * 1_000_003 - 2 ** 30);
    case "uint32": return Uint32Array.from({ length: n }, (_, i) => i * 40_000_003);
    case "float16": return new Float32Array(n);
  }
}

test("round trips every writable type, odd shape, both byte orders, through the pipeline", async () => {
  const types: NumericDataType[] = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"];
  const shape = [3, 5, 7];
  for (const dataType of types) {
    for (const endian of ["little", "big"]) {
      const s = spec(dataType, shape, dataType === "bool" ? false : dataType.endsWith("64") && dataType.includes("int") ? 0n : 0);
      const pipeline = await CodecPipeline.create([{ name: "bytes", configuration: { endian } }], s, "arr/zarr.json");
      const data = sample(dataType, 105);
      const bytes = await pipeline.encode(data, ctx);
      assert.is(bytes.length, pipeline.fixedEncodedSize, `${dataType} ${endian}`);
      const back = await pipeline.decode(shifted(bytes, 3), ctx);
      assert.equal(back.constructor, data.constructor);
      assert.equal(Array.from(back as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>), `${dataType} ${endian}`);
    }
  }
});

test("big-endian bytes are the reverse of little-endian bytes per element", async () => {
  const data = Float64Array.of(1.5, -0, Math.PI);
  const l = await le.encode(data, spec("float64", [3]), ctx);
  const b = await be.encode(data, spec("float64", [3]), ctx);
  for (let i = 0; i < 3; i++) assert.equal(Array.from(b.subarray(i * 8, i * 8 + 8)), Array.from(l.subarray(i * 8, i * 8 + 8)).reverse());
});

test.run();
