import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGzipCodec } from "../../src/codecs/gzip.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { CodecError, MetadataError } from "../../src/errors.js";
import { concat, hex, rejects, shifted, text } from "../helpers/bytes.js";
import { gzipBomb } from "../campaign/bombs.js";

const ctx = (decodedSize?: number, maxDecodedSize = 1 << 30) => ({ key: "g/c/0", decodedSize, maxDecodedSize });
const codec = createGzipCodec({ level: 5 }, "g/zarr.json");

// Made by Python 3's gzip.compress(..., mtime=0) (zlib).
const GZ1 = hex("1f8b0800000000000203cb48cdc9c95748afca2c50c8803301ac5ff12715000000"); // "hello gzip hello gzip"
const GZ2 = hex("1f8b08000000000002035348cc4b51c8cd2f4a0500b84e825b09000000"); // " and more"
const GZ_EMPTY = hex("1f8b080000000000020303000000000000000000");

test("configuration: level must be an integer 0..9", () => {
  for (const level of [10, -1, 1.5, "5"]) {
    assert.throws(() => createGzipCodec({ level }, "g/zarr.json"), (e: Error) => e instanceof MetadataError && e.message.includes("g/zarr.json"));
  }
  createGzipCodec({}, "g/zarr.json");
});

test("decodes zlib-made members, known size or not, from a subarray", async () => {
  assert.is(text(await codec.decode(GZ1, ctx())), "hello gzip hello gzip");
  assert.is(text(await codec.decode(shifted(GZ1, 3), ctx(21))), "hello gzip hello gzip");
  assert.is((await codec.decode(GZ_EMPTY, ctx())).length, 0);
  assert.is((await codec.decode(shifted(GZ_EMPTY, 1), ctx(0))).length, 0);
});

test("concatenated members decode to the concatenation", async () => {
  const both = concat(GZ1, GZ2, GZ_EMPTY, GZ2);
  assert.is(text(await codec.decode(both, ctx())), "hello gzip hello gzip and more and more");
  assert.is(text(await codec.decode(shifted(both, 5), ctx(39))), "hello gzip hello gzip and more and more");
});

test("truncated input is a CodecError naming the key", async () => {
  for (const cut of [1, 4, 8, 12, GZ1.length - 12]) {
    await rejects(() => codec.decode(GZ1.subarray(0, GZ1.length - cut), ctx()), /g\/c\/0/);
    await rejects(() => codec.decode(GZ1.subarray(0, GZ1.length - cut), ctx(21)), /g\/c\/0/);
  }
  await rejects(() => codec.decode(new Uint8Array(0), ctx()), /truncated/, /0 bytes/);
  await rejects(() => codec.decode(concat(GZ1, GZ2.subarray(0, 15)), ctx()), /g\/c\/0/);
});

test("corrupt data, a wrong CRC or a wrong size is refused", async () => {
  const badCrc = GZ1.slice();
  badCrc[badCrc.length - 6]! ^= 1;
  await rejects(() => codec.decode(badCrc, ctx()), /CRC/);
  const badData = GZ1.slice();
  badData[14]! ^= 0x55;
  await rejects(() => codec.decode(badData, ctx()), /g\/c\/0/);
  await rejects(() => codec.decode(hex("1f8b09" + "00".repeat(20)), ctx()), /not gzip/);
  await rejects(() => codec.decode(GZ1, ctx(20)), /21/, /20/);
});

test("a trailer announcing more than the limit is refused before inflating", async () => {
  await rejects(() => codec.decode(GZ1, ctx(undefined, 10)), /announces 21/, /limit of 10/);
  // Several members: only the running total shows the excess.
  await rejects(() => codec.decode(concat(GZ2, GZ2, GZ2), ctx(undefined, 20)), /limit of 20/);
});

test("a bomb (4 MB inflating to 4 GiB) whose trailer lies is refused within a second, without allocating for it", async () => {
  const bomb = gzipBomb(4 * 2 ** 30, 400);
  for (const c of [ctx(400, 400), ctx(undefined, 2 ** 30), ctx(undefined, 2 ** 31 - 1)]) {
    const t0 = performance.now();
    const rss0 = process.memoryUsage().rss;
    await rejects(() => codec.decode(bomb, c), /decoded more than the 400 bytes its trailer announces/);
    assert.ok(performance.now() - t0 < 1000, `${Math.round(performance.now() - t0)} ms`);
    assert.ok(process.memoryUsage().rss - rss0 < 256 * 2 ** 20, "memory");
  }
  // A trailer that disagrees with the size the pipeline expects: refused before inflating anything.
  await rejects(() => codec.decode(gzipBomb(4 * 2 ** 30, 399), ctx(400, 400)), /announces 399 decoded bytes, expected 400/);
  // Several members: the running total stops them at the limit.
  const members = concat(...Array.from({ length: 64 }, () => gzipBomb(64 * 2 ** 20, 64 * 2 ** 20)));
  await rejects(() => codec.decode(members, ctx(undefined, 100 * 2 ** 20)), /limit of 104857600/);
});

test("round trips at every level, odd sizes, through the pipeline with a known size", async () => {
  for (let level = 0; level <= 9; level++) {
    const c = createGzipCodec({ level }, "g/zarr.json");
    for (const n of [0, 1, 1000, 65537]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * i) % 251);
      const enc = await c.encode(shifted(data, 3), ctx());
      assert.equal(Array.from(enc.subarray(0, 8)), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0], "header with mtime 0");
      const dec = await c.decode(shifted(enc, 1), ctx(n));
      assert.is(dec.length, n);
      assert.ok(dec.every((x, i) => x === data[i]), `level ${level} n ${n}`);
    }
  }
  const p = await CodecPipeline.create([{ name: "bytes", configuration: { endian: "little" } }, { name: "gzip", configuration: { level: 1 } }], { shape: [7, 3], dataType: "float64", fillValue: 0 }, "g/zarr.json");
  const data = Float64Array.from({ length: 21 }, (_, i) => i / 3);
  assert.equal(Array.from((await p.decode(await p.encode(data, ctx()), ctx())) as Float64Array), Array.from(data));
});

test.run();
