import { test } from "uvu";
import * as assert from "uvu/assert";
import { createZstdCodec } from "../../src/codecs/zstd.js";
import { scanZstdFrames } from "../../src/codecs/zstd-frame.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { CodecError, MetadataError } from "../../src/errors.js";
import { concat, hex, rejects, shifted, text } from "../helpers/bytes.js";
import { zstdRleBomb } from "../campaign/bombs.js";

const KEY = "col/c/3";
const ctx = (decodedSize?: number, maxDecodedSize = 1 << 30) => ({ key: KEY, decodedSize, maxDecodedSize });
const codec = createZstdCodec({ level: 0, checksum: false }, "col/zarr.json");
const HELLO = "hello zarr ".repeat(20);

// Python numcodecs 0.16.6 Zstd(level=3).encode(b"hello zarr " * 20): single segment, 1-byte content size 220.
const WITH_SIZE = hex("28b52ffd20dc9500005868656c6c6f207a6172722001004e53c50b");
// The same with Zstd(level=3, checksum=True): descriptor bit 2 set, 4 checksum bytes at the end.
const WITH_CHECKSUM = hex("28b52ffd24dc9500005868656c6c6f207a6172722001004e53c50bb3572c5a");
// The zstd 1.5.4 CLI compressing from a pipe: no content size, window descriptor 0x58 (2 MiB).
const NO_SIZE = hex("28b52ffd00589500005868656c6c6f207a6172722001004e53c50b");
// numcodecs Zstd(level=3).encode(b"second frame").
const SECOND = hex("28b52ffd200c6100007365636f6e64206672616d65");
// Hand-built: single segment, 2-byte content size (300 - 256 = 0x2c), one RLE block of 300 x "a".
const RLE_300 = hex("28b52ffd 60 2c00 630900 61");
// Hand-built: 4-byte content size 5, window descriptor 0 (1 KiB), one raw block "hello".
const RAW_HELLO = hex("28b52ffd 80 00 05000000 290000 68656c6c6f");
// Hand-built: no content size, 10 RLE blocks of 100000 x "a" (valid, 1,000,000 bytes).
const RLE_MILLION = hex("28b52ffd 00 38" + "02350c61".repeat(9) + "03350c61");

test("configuration: level an integer, checksum a boolean", () => {
  for (const configuration of [{ level: 1.5 }, { level: "3" }, { checksum: 1 }]) {
    assert.throws(() => createZstdCodec(configuration, "col/zarr.json"), (e: Error) => e instanceof MetadataError && e.message.includes("col/zarr.json"));
  }
  createZstdCodec({}, "col/zarr.json");
});

test("frame walker: header fields of each kind of frame", () => {
  const a = scanZstdFrames(WITH_SIZE, "zstd", KEY);
  assert.is(a.contentSize, 220);
  assert.is(a.frames[0]!.windowSize, 220);
  assert.is(a.frames[0]!.hasChecksum, false);
  assert.is(a.frames[0]!.end, WITH_SIZE.length);
  const b = scanZstdFrames(WITH_CHECKSUM, "zstd", KEY);
  assert.is(b.frames[0]!.hasChecksum, true);
  assert.is(b.frames[0]!.end, WITH_CHECKSUM.length);
  const c = scanZstdFrames(NO_SIZE, "zstd", KEY);
  assert.is(c.contentSize, undefined);
  assert.is(c.frames[0]!.windowSize, 2 ** 21);
  assert.is(c.maxContentSize, 128 * 1024);
  assert.is(scanZstdFrames(RLE_300, "zstd", KEY).contentSize, 300);
  assert.is(scanZstdFrames(RAW_HELLO, "zstd", KEY).frames[0]!.windowSize, 1024);
  const m = scanZstdFrames(RLE_MILLION, "zstd", KEY);
  assert.is(m.frames[0]!.blockCount, 10);
  assert.is(m.maxContentSize, 1_000_000);
  const skip = scanZstdFrames(concat(hex("502a4d18 03000000 010203"), WITH_SIZE, hex("5f2a4d18 00000000"), SECOND), "zstd", KEY);
  assert.is(skip.skippableFrames, 2);
  assert.is(skip.frames.length, 2);
  assert.is(skip.contentSize, 232);
  assert.is(skip.frames[1]!.start, 11 + WITH_SIZE.length + 8);
});

test("frame with content size, from a subarray", async () => {
  assert.is(text(await codec.decode(WITH_SIZE, ctx())), HELLO);
  assert.is(text(await codec.decode(shifted(WITH_SIZE, 3), ctx(220))), HELLO);
  assert.is("a".repeat(300), text(await codec.decode(RLE_300, ctx(300))));
  assert.is(text(await codec.decode(shifted(RAW_HELLO, 1), ctx())), "hello");
});

test("frame without content size", async () => {
  assert.is(text(await codec.decode(NO_SIZE, ctx())), HELLO);
  assert.is(text(await codec.decode(shifted(NO_SIZE, 2), ctx(220))), HELLO);
  const million = await codec.decode(RLE_MILLION, ctx(undefined, 2_000_000));
  assert.is(million.length, 1_000_000);
  assert.ok(million.every((x) => x === 0x61));
});

test("frame with checksum; a wrong checksum is a CodecError", async () => {
  assert.is(text(await codec.decode(WITH_CHECKSUM, ctx(220))), HELLO);
  const bad = WITH_CHECKSUM.slice();
  bad[bad.length - 1]! ^= 0xff;
  await rejects(() => codec.decode(bad, ctx()), new RegExp(KEY), /checksum/);
});

test("concatenated and skippable frames", async () => {
  assert.is(text(await codec.decode(concat(WITH_SIZE, SECOND), ctx(232))), HELLO + "second frame");
  assert.is(text(await codec.decode(shifted(concat(NO_SIZE, WITH_CHECKSUM, NO_SIZE), 1), ctx())), HELLO.repeat(3));
  assert.is(text(await codec.decode(concat(hex("502a4d18 03000000 010203"), RAW_HELLO, hex("5f2a4d18 00000000")), ctx(5))), "hello");
  assert.is((await codec.decode(hex("502a4d18 00000000"), ctx())).length, 0);
});

test("a frame announcing a huge content size is refused at once, without allocating", async () => {
  const t = performance.now();
  // Content size 2^40 but a single 5-byte raw block.
  await rejects(() => codec.decode(hex("28b52ffd c0 00 0000000000010000 290000 68656c6c6f"), ctx()), new RegExp(KEY), /1099511627776/);
  // Content size 1 MiB with eight (fake) compressed blocks that could hold it: refused by the limit.
  const fake = hex("28b52ffd 80 38 00001000" + "0c000000".repeat(7) + "0d000000");
  await rejects(() => codec.decode(fake, ctx(undefined, 1000)), /announce 1048576/, /limit of 1000/);
  await rejects(() => codec.decode(fake, ctx(4096)), /announce 1048576/, /expected 4096/);
  // No content size, blocks that can regenerate a million bytes.
  await rejects(() => codec.decode(RLE_MILLION, ctx(undefined, 1000)), /up to 1000000/, /limit of 1000/);
  await rejects(() => codec.decode(RLE_MILLION, ctx(999_999, 999_999)), /up to 1000000/, /limit of 999999/);
  assert.ok(performance.now() - t < 200, "fast");
});

test("a 128 KB frame of RLE blocks decoding to 4 GiB is refused within a second, whatever its content size says", async () => {
  const blocks = 32768;
  for (const [contentSize, c, pattern] of [
    [undefined, ctx(400, 400), /can decode to up to 4294967296 bytes, more than the limit of 400/],
    [undefined, ctx(undefined, 2 ** 30), /more than the limit of 1073741824/],
    [2 ** 32, ctx(undefined, 2 ** 30), /announce 4294967296 decoded bytes, more than the limit/],
    [400, ctx(400, 400), /corrupt frame at byte 0/],
    [400, ctx(undefined, 2 ** 30), /corrupt frame at byte 0/],
    [2n ** 64n - 1n, ctx(undefined, 2 ** 30), /blocks hold at most 4294967296/],
  ] as const) {
    const t0 = performance.now();
    const rss0 = process.memoryUsage().rss;
    await rejects(() => codec.decode(zstdRleBomb(blocks, contentSize), c), pattern);
    assert.ok(performance.now() - t0 < 1000, `${Math.round(performance.now() - t0)} ms`);
    assert.ok(process.memoryUsage().rss - rss0 < 256 * 2 ** 20, "memory");
  }
});

test("truncated input is a CodecError naming the key and byte offset", async () => {
  for (const cut of [1, 3, 4, 10, WITH_SIZE.length - 5, WITH_SIZE.length - 2]) {
    await rejects(() => codec.decode(WITH_SIZE.subarray(0, WITH_SIZE.length - cut), ctx()), new RegExp(KEY), /truncated/, /at byte \d+/);
  }
  await rejects(() => codec.decode(WITH_CHECKSUM.subarray(0, WITH_CHECKSUM.length - 2), ctx()), /truncated: content checksum/);
  await rejects(() => codec.decode(NO_SIZE.subarray(0, NO_SIZE.length - 1), ctx()), /truncated/);
  await rejects(() => codec.decode(concat(WITH_SIZE, SECOND.subarray(0, 8)), ctx()), /truncated/, /frame at byte 27/);
  await rejects(() => codec.decode(new Uint8Array(0), ctx()), /empty/);
});

test("malformed frames: bad magic, reserved bits, reserved block type, dictionary, size mismatch", async () => {
  await rejects(() => codec.decode(concat(WITH_SIZE, hex("00000000")), ctx()), /no zstd frame at byte 27/, /0x00000000/);
  await rejects(() => codec.decode(hex("28b52ffd 28 05 290000 68656c6c6f"), ctx()), /reserved bit/);
  await rejects(() => codec.decode(hex("28b52ffd 20 05 070000"), ctx()), /reserved block type/);
  await rejects(() => codec.decode(hex("28b52ffd 21 07 05 290000 68656c6c6f"), ctx()), /dictionary 7/);
  await rejects(() => codec.decode(WITH_SIZE, ctx(219)), /announce 220/, /expected 219/);
  await rejects(() => codec.decode(NO_SIZE, ctx(221)), /decoded 220 bytes, expected 221/);
  const corrupt = WITH_SIZE.slice();
  corrupt[22]! ^= 0xff; // inside the sequences section
  await rejects(() => codec.decode(corrupt, ctx()), new RegExp(KEY), /corrupt frame at byte 0/, /Data corruption detected/);
});

test("written frames carry the content size, at every field width", async () => {
  for (const n of [0, 1, 255, 256, 300, 65791, 65792, 70000, 5 << 20]) {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 31) % 253);
    const enc = await codec.encode(data, ctx());
    const stream = scanZstdFrames(enc, "zstd", KEY);
    assert.is(stream.frames.length, 1);
    assert.is(stream.contentSize, n, `size ${n}`);
    const dec = await codec.decode(shifted(enc, 1), ctx(n));
    assert.ok(dec.length === n && dec.every((x, i) => x === data[i]), `round trip ${n}`);
  }
});

test("level 0 writes what level 3 writes; other levels round-trip", async () => {
  const data = Uint8Array.from({ length: 200_000 }, (_, i) => ((i * 2654435761) >>> 26) + (i % 11));
  const zero = await createZstdCodec({ level: 0 }, "f").encode(data, ctx());
  const three = await createZstdCodec({ level: 3 }, "f").encode(data, ctx());
  const one = await createZstdCodec({ level: 1 }, "f").encode(data, ctx());
  assert.equal(Array.from(zero), Array.from(three));
  assert.not.equal(Array.from(zero), Array.from(one));
  for (const level of [-5, 1, 9, 22, 30]) {
    const c = createZstdCodec({ level, checksum: true }, "f");
    const dec = await c.decode(await c.encode(data, ctx()), ctx(data.length));
    assert.ok(dec.every((x, i) => x === data[i]), `level ${level}`);
  }
});

test("pipeline: vlen-utf8 strings, then zstd, as zarr-python stores a string column", async () => {
  const p = await CodecPipeline.create([{ name: "vlen-utf8", configuration: {} }, { name: "zstd", configuration: { level: 0, checksum: false } }], { shape: [5], dataType: "string", fillValue: "" }, "col/zarr.json");
  const data = ["a", "", "héllo", "xyz", "🌍"];
  assert.equal(await p.decode(await p.encode(data, ctx()), ctx()), data);
});

test.run();
