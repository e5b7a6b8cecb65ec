import { test } from "uvu";
import * as assert from "uvu/assert";
import { createVlenUtf8Codec } from "../../src/codecs/vlen-utf8.js";
import type { ChunkSpec } from "../../src/codecs/codec.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { CodecError } from "../../src/errors.js";
import { hex, rejects, shifted } from "../helpers/bytes.js";
import * as fc from "fast-check";

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const spec = (shape: number[]): ChunkSpec => ({ shape, dataType: "string", fillValue: "" });
const ctx = { key: "names/c/2" };
const codec = createVlenUtf8Codec({}, "names/zarr.json");

// FORMAT.md's example; numcodecs 0.16.6 VLenUTF8 writes the same bytes.
const EXAMPLE = hex("04000000 01000000 61 00000000 06000000 68c3a96c6c6f 03000000 78797a");

test("the FORMAT.md example, both ways, also from a subarray", async () => {
  const data = ["a", "", "héllo", "xyz"];
  assert.is(toHex(await codec.encode(data, spec([4]), ctx)), toHex(EXAMPLE));
  assert.equal(await codec.decode(EXAMPLE, spec([4]), ctx), data);
  for (const by of [1, 2, 3, 7]) assert.equal(await codec.decode(shifted(EXAMPLE, by), spec([2, 2]), ctx), data);
});

test("unicode: 2-, 3- and 4-byte sequences, combining marks, lone surrogates", async () => {
  const data = ["ß", "€", "日本語", "🌍🚀", "e\u0301", "mixed ascii then ü", "\ud800"];
  const bytes = await codec.encode(data, spec([7]), ctx);
  const back = (await codec.decode(bytes, spec([7]), ctx)) as string[];
  assert.equal(back.slice(0, 6), data.slice(0, 6));
  assert.is(back[6], "\ufffd", "a lone surrogate is written as U+FFFD, as TextEncoder does");
  assert.is(toHex(await codec.encode(["🌍"], spec([1]), ctx)), "01000000" + "04000000" + "f09f8c8d");
});

test("property: any strings, short (encoded in JavaScript) and long (native), give TextEncoder's bytes, lone surrogates as U+FFFD", async () => {
  // UTF-16 units from every range: ASCII, 2- and 3-byte characters, high and low surrogates (paired or not).
  const unit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x7ff }), fc.integer({ min: 0x800, max: 0xd7ff }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0xe000, max: 0xffff }));
  const str = fc.array(unit, { maxLength: 40 }).map((u) => String.fromCharCode(...u));
  const enc = new TextEncoder();
  await fc.assert(
    fc.asyncProperty(fc.array(str, { minLength: 1, maxLength: 30 }), async (data) => {
      const got = await codec.encode(data, spec([data.length]), ctx);
      const parts = data.map((d) => enc.encode(d));
      const want = new Uint8Array(4 + parts.reduce((n, b) => n + 4 + b.length, 0));
      const view = new DataView(want.buffer);
      view.setUint32(0, data.length, true);
      let p = 4;
      for (const b of parts) {
        view.setUint32(p, b.length, true);
        want.set(b, p + 4);
        p += 4 + b.length;
      }
      assert.is(toHex(got), toHex(want));
      assert.equal(await codec.decode(got, spec([data.length]), ctx), data.map((d) => d.toWellFormed()));
    }),
    { numRuns: 500, seed: 20261201 },
  );
});

test("empty chunk and empty strings", async () => {
  assert.is(toHex(await codec.encode([], spec([0]), ctx)), "00000000");
  assert.equal(await codec.decode(hex("00000000"), spec([0, 5]), ctx), []);
  assert.equal(await codec.decode(hex("02000000 00000000 00000000"), spec([2]), ctx), ["", ""]);
});

test("truncated or inconsistent input: CodecError naming the key, element, offset and numbers", async () => {
  await rejects(() => codec.decode(new Uint8Array(0), spec([1]), ctx), /names\/c\/2/, /truncated/, /0 bytes/);
  await rejects(() => codec.decode(hex("010000"), spec([1]), ctx), /truncated/);
  await rejects(() => codec.decode(hex("01000000"), spec([1]), ctx), /element 0 at byte 4/, /needs 4 bytes, only 0 left/);
  await rejects(() => codec.decode(hex("01000000 0500"), spec([1]), ctx), /element 0/, /only 2 left/);
  await rejects(() => codec.decode(EXAMPLE.subarray(0, EXAMPLE.length - 1), spec([4]), ctx), /element 3 at byte 23 claims 3 bytes, only 2 left of 29/);
  await rejects(() => codec.decode(hex("01000000 ffffffff 61"), spec([1]), ctx), /claims 4294967295 bytes, only 1 left/);
  await rejects(() => codec.decode(new Uint8Array([...EXAMPLE, 0]), spec([4]), ctx), /1 unexpected bytes/, /byte 30 of 31/);
  await rejects(() => codec.decode(EXAMPLE, spec([5]), ctx), /holds 4 elements, expected 5/);
  await rejects(() => codec.decode(hex("01000000 02000000 c328"), spec([1]), ctx), /element 0 at byte 8/, /not valid UTF-8/);
});

test("each element must be UTF-8 on its own: sequences across element bounds, overlong forms and stray bytes are refused, naming the element", async () => {
  // "é" split across two elements: valid when the bytes are joined, invalid per element.
  await rejects(() => codec.decode(hex("02000000 02000000 61c3 01000000 a9"), spec([2]), ctx), /element 0 at byte 8/, /not valid UTF-8/);
  await rejects(() => codec.decode(hex("02000000 01000000 61 02000000 a962"), spec([2]), ctx), /element 1 at byte 13/, /not valid UTF-8/);
  // Overlong "/" (c0 af) and a byte that is never UTF-8 (ff): caught by the strict decoder.
  await rejects(() => codec.decode(hex("02000000 01000000 61 02000000 c0af"), spec([2]), ctx), /element 1 at byte 13/);
  await rejects(() => codec.decode(hex("03000000 01000000 61 01000000 62 01000000 ff"), spec([3]), ctx), /element 2 at byte 18/);
  // Long elements (decoded one by one): the same errors.
  const long = new Uint8Array([2, 0, 0, 0, 40, 0, 0, 0, ...new Uint8Array(40).fill(0x61), 40, 0, 0, 0, ...new Uint8Array(39).fill(0x62), 0xc3]);
  await rejects(() => codec.decode(long, spec([2]), ctx), /element 1 at byte 52/, /not valid UTF-8/);
  await rejects(() => codec.decode(long.subarray(0, 60), spec([2]), ctx), /element 1 at byte 48 claims 40 bytes, only 8 left/);
  // Surrogate pairs keep the element bounds right after them.
  const data = ["🌍", "a", "日🚀b", "", "ü"];
  assert.equal(await codec.decode(await codec.encode(data, spec([5]), ctx), spec([5]), ctx), data);
});

test("only data type string; encode checks the array", async () => {
  await rejects(() => codec.decode(EXAMPLE, { shape: [4], dataType: "int32", fillValue: 0 }, ctx), /"string"/, /int32/);
  await rejects(() => codec.encode(new Int32Array(1), { shape: [1], dataType: "int32", fillValue: 0 }, ctx), /int32/);
  await rejects(() => codec.encode(new Int32Array(1), spec([1]), ctx), /array of strings/, /Int32Array/);
  await rejects(() => codec.encode(["a", 5 as never], spec([2]), ctx), /element 1 is number/);
  await rejects(() => codec.encode(["a"], spec([2]), ctx), /1 elements, expected 2/);
});

test("round trips: odd 2-d shape, long strings, ASCII turning into non-ASCII late (buffer growth)", async () => {
  const data: string[] = [];
  for (let i = 0; i < 3000; i++) data.push(i < 2500 ? `row ${i}` : `ряд ${i} ${"🌍".repeat(i % 5)}`);
  data[7] = "x".repeat(100_000);
  data[8] = "ü".repeat(50_000);
  const s = spec([3, 1000]);
  const bytes = await codec.encode(data, s, ctx);
  assert.equal(await codec.decode(shifted(bytes, 1), s, ctx), data);
  const p = await CodecPipeline.create([{ name: "vlen-utf8", configuration: {} }], { shape: [5, 3], dataType: "string", fillValue: "" }, "names/zarr.json");
  const small = Array.from({ length: 15 }, (_, i) => (i % 4 === 0 ? "" : `é${i}`));
  assert.equal(await p.decode(await p.encode(small, ctx), ctx), small);
});


test("long strings (native encoder path) round-trip: all-ASCII chunks, mixed chunks, lone surrogates", async () => {
  const { createVlenUtf8Codec } = await import("../../src/codecs/vlen-utf8.js");
  const c = createVlenUtf8Codec({}, "f");
  const long = "x".repeat(40);
  const cases: string[][] = [
    [long, long + "y", "", "short"],
    [long + "é", "日本語".repeat(20), long, "🌍".repeat(17), "a\ud800b".repeat(12), ""],
  ];
  for (const data of cases) {
    const spec = { shape: [data.length], dataType: "string" as const, fillValue: "" };
    const bytes = await c.encode(data, spec, { key: "k" });
    const expected = data.map((s) => new TextDecoder().decode(new TextEncoder().encode(s)));
    assert.equal(await c.decode(bytes, spec, { key: "k" }), expected);
    assert.equal(await c.decode(shifted(bytes, 3), spec, { key: "k" }), expected);
  }
});

test.run();
