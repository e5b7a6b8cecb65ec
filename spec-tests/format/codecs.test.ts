/**
 * docs/FORMAT.md section 6: the codecs' bytes. The default chain, `bytes`,
 * `vlen-utf8` (against numcodecs), zstd frames as written and as read,
 * `crc32c` and `sharding_indexed` placement (against zarr-python 3.1.6 and 3.4.x).
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { FileSystemStore, RatZarr, ZarrArray, nodeRuntime } from "../../src/node/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { CodecError } from "../../src/errors.js";
import type { ArrayToBytesCodec, BytesToBytesCodec, ChunkSpec } from "../../src/codecs/codec.js";
import { crc32c } from "../../src/codecs/crc32c.js";
import { scanZstdFrames } from "../../src/codecs/zstd-frame.js";
import { verifyRat } from "../../src/cli/verify.js";
import { cleanup, keys, quiet, tempDir } from "./helpers.js";
import { pythonOf, zarrPythons } from "./python.js";

const t = suite("format: codecs");
t.after.each(cleanup);

const codecs = nodeRuntime().codecs;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const vlen = async () => (await codecs.create("vlen-utf8", {}, "f")) as ArrayToBytesCodec;
const strings = (n: number): ChunkSpec => ({ shape: [n], dataType: "string", fillValue: "" });
const zstd = async (configuration = {}) => (await codecs.create("zstd", configuration, "f")) as BytesToBytesCodec;
const unzstd = async (b: Uint8Array, size: number) => (await zstd()).decode(b, { key: "k", decodedSize: size, maxDecodedSize: size });

async function fails(fn: () => unknown, pattern?: RegExp): Promise<CodecError> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, CodecError);
    if (pattern !== undefined) assert.match((e as Error).message, pattern);
    return e as CodecError;
  }
  throw new Error("expected a CodecError");
}

t("F-6.2: bytes: C order, little-endian as written, big-endian read, bool 0/1 written and any nonzero read as true, a wrong length refused", async () => {
  const store = new MemoryStore();
  const a = await ZarrArray.create(store, "a", { shape: [2, 2], dataType: "int16", chunkShape: [2, 2], codecs: [{ name: "bytes", configuration: { endian: "little" } }] });
  await a.write(0, Int16Array.from([1, 2, 0x0304, -2]));
  assert.is(hex((await store.get("a/c/0/0"))!), "0100" + "0200" + "0403" + "feff");
  const b = await ZarrArray.create(store, "b", { shape: [3], dataType: "bool", chunkShape: [3], codecs: [{ name: "bytes" }] });
  await b.write(0, Uint8Array.from([1, 0, 7]));
  assert.is(hex((await store.get("b/c/0"))!), "010001");
  await store.set("b/c/0", Uint8Array.from([2, 0, 255]));
  assert.equal(Array.from(await (await ZarrArray.open(store, "b")).read() as Uint8Array), [1, 0, 1]);
  const big = await ZarrArray.create(store, "big", { shape: [2], dataType: "int32", chunkShape: [2], codecs: [{ name: "bytes", configuration: { endian: "big" } }] });
  await store.set("big/c/0", fromHex("00000102 fffffffe"));
  assert.equal(Array.from(await big.read() as Int32Array), [258, -2]);
  await store.set("a/c/0/0", new Uint8Array(7));
  await fails(async () => (await ZarrArray.open(store, "a")).read(), /7 bytes, expected 8/);
});

for (const z of zarrPythons()) t(`F-6.3: vlen-utf8 bytes: count, then length and UTF-8 per element; the example of the document; the same bytes numcodecs writes; lone surrogates as U+FFFD [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const c = await vlen();
  const example = ["a", "", "héllo", "xyz"];
  const ours = await c.encode(example, strings(4), { key: "k" });
  assert.is(hex(ours), "04000000" + "01000000" + "61" + "00000000" + "06000000" + "68c3a96c6c6f" + "03000000" + "78797a");
  const sample = ["a", "", "héllo", "xyz", "日本語", "😀 emoji", "nul\u0000byte", "x".repeat(300)];
  const theirs = python(`
import numcodecs
out(numcodecs.VLenUTF8().encode(np.array(inp, dtype=object)).hex())
`, sample) as string;
  assert.is(hex(await c.encode(sample, strings(sample.length), { key: "k" })), theirs);
  assert.is(hex(await c.encode(["\ud800"], strings(1), { key: "k" })), "01000000" + "03000000" + "efbfbd");
  assert.equal(await c.decode(fromHex(theirs), strings(sample.length), { key: "k" }), sample);
});

t("F-6.4: vlen-utf8: short input, wrong count, cut length, length past the end, trailing bytes and invalid UTF-8 are refused naming the byte", async () => {
  const c = await vlen();
  const dec = (h: string, n: number) => c.decode(fromHex(h), strings(n), { key: "RAT/s/c/0" });
  await fails(() => dec("0200", 2), /truncated: 2 bytes/);
  await fails(() => dec("03000000 01000000 61 01000000 62", 2), /holds 3 elements, expected 2/);
  await fails(() => dec("02000000 01000000 61 0100", 2), /length of element 1 at byte 9/);
  await fails(() => dec("02000000 01000000 61 05000000 62", 2), /element 1 at byte 9 claims 5 bytes/);
  await fails(() => dec("01000000 01000000 61 00", 1), /1 unexpected bytes after the last of 1 elements, at byte 9/);
  await fails(() => dec("01000000 02000000 c328", 1), /element 0 at byte 8 .* not valid UTF-8/);
  // A sequence that starts in one element and ends in the next: each alone is invalid.
  await fails(() => dec("02000000 01000000 c3 01000000 a9", 2), /element 0 .* not valid UTF-8/);
  assert.equal(await dec("02000000 01000000 61 02000000 c3a9", 2), ["a", "é"]);
});

/** The same zstd frame without its content size field (and not single-segment): a window descriptor instead. */
function withoutContentSize(frame: Uint8Array): Uint8Array {
  const fhd = frame[4]!;
  const single = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const fcsSize = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag]!;
  const didSize = [0, 1, 2, 4][fhd & 3]!;
  const headerEnd = 5 + (single ? 0 : 1) + didSize + fcsSize;
  const wd = single ? 0x00 : frame[5]!; // 2^10 bytes: enough for the small frames of this test
  const out = [...frame.subarray(0, 4), fhd & 0x1f & ~0x20, wd, ...frame.subarray(5 + (single ? 0 : 1), 5 + (single ? 0 : 1) + didSize), ...frame.subarray(headerEnd)];
  return Uint8Array.from(out);
}

t("F-6.5: zstd frames as written: level 0 is libzstd's 3, content size in the header, no dictionary, no checksum unless configured", async () => {
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, quiet);
  await rz.setRowCount(100);
  await rz.createColumn("f", "float64");
  await rz.writeBlock("f", Float64Array.from({ length: 100 }, (_, i) => Math.sqrt(i)), 0);
  await rz.close();
  const stored = (await store.get("RAT/f/c/0"))!;
  const s = scanZstdFrames(stored, "zstd", "RAT/f/c/0");
  assert.is(s.frames.length, 1);
  assert.is(s.frames[0]!.contentSize, 500000 * 8);
  assert.is(s.frames[0]!.dictionaryId, 0);
  assert.is(s.frames[0]!.hasChecksum, false);
  const raw = await unzstd(stored, 500000 * 8);
  const backend = await codecs.zstd();
  assert.is(hex(await backend.compress(raw, { level: 3, checksum: false })), hex(stored));
  const checked = await (await zstd({ level: 0, checksum: true })).encode(raw.subarray(0, 800), { key: "k" });
  const f = scanZstdFrames(checked, "zstd", "k").frames[0]!;
  assert.is(f.contentSize, 800);
  assert.is(f.hasChecksum, !backend.name.startsWith("wasm"), backend.name);
});

for (const z of zarrPythons()) t(`F-6.6: zstd frames as read: without content size, with checksum (zarr-python's), concatenated, after a skippable frame; dictionaries, cuts and wrong sizes refused [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const data = Uint8Array.from({ length: 400 }, (_, i) => (i * 7) % 13);
  const frame = await (await zstd()).encode(data, { key: "k" });
  const bare = withoutContentSize(frame);
  assert.is(scanZstdFrames(bare, "zstd", "k").frames[0]!.contentSize, undefined);
  assert.equal(await unzstd(bare, 400), data);
  const two = Uint8Array.from([...(await (await zstd()).encode(data.subarray(0, 150), { key: "k" })), ...withoutContentSize(await (await zstd()).encode(data.subarray(150), { key: "k" }))]);
  assert.equal(await unzstd(two, 400), data);
  const skippable = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9, ...frame]);
  assert.equal(await unzstd(skippable, 400), data);
  // A frame with a checksum, as zarr-python writes it: read, and the checksum is checked.
  const dir = tempDir();
  python(`
a = zarr.create_array(store=LocalStore(inp), shape=(100,), chunks=(100,), dtype="uint32", compressors=[zarr.codecs.ZstdCodec(level=3, checksum=True)])
a[...] = np.arange(100, dtype="uint32") * 3
`, dir);
  const store = new FileSystemStore(dir);
  const chunk = (await store.get("c/0"))!;
  assert.is(scanZstdFrames(chunk, "zstd", "c/0").frames[0]!.hasChecksum, true);
  assert.equal(Array.from(await (await ZarrArray.open(store, "")).read() as Uint32Array), Array.from({ length: 100 }, (_, i) => i * 3));
  const flipped = chunk.slice();
  flipped[flipped.length - 1]! ^= 0xff;
  await fails(() => unzstd(flipped, 400));
  const dict = frame.slice();
  dict[4] = dict[4]! | 1;
  await fails(() => unzstd(Uint8Array.from([...dict.subarray(0, 5), 7, ...dict.subarray(5)]), 400), /dictionary/);
  await fails(() => unzstd(frame.subarray(0, frame.length - 3), 400));
  await fails(() => unzstd(frame, 399), /announce 400 decoded bytes, expected 399/);
});

for (const z of zarrPythons()) t(`F-6.7: crc32c: CRC-32C of the bytes before it, 4 bytes little-endian at the end, as zarr-python writes it; a mismatch is refused and verify says checksum (F-6.7) [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  assert.is(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  const sample = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
  assert.is(crc32c(sample), python("import google_crc32c\nout(google_crc32c.value(bytes(inp)))", Array.from(sample)) as number);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  await (await RatZarr.open(path, quiet)).close();
  python(`
g = zarr.open_group(store=LocalStore(inp), path="RAT", mode="a")
g.attrs["ROWCOUNT"] = 6
a = g.create_array("crc", shape=(6,), chunks=(4,), dtype="int32", compressors=[zarr.codecs.Crc32cCodec()], attributes={"MODIFICATIONLOG": []})
a[...] = np.arange(6, dtype="int32") + 100
`, path);
  const store = new FileSystemStore(path);
  for (const key of ["RAT/crc/c/0", "RAT/crc/c/1"]) {
    const b = (await store.get(key))!;
    assert.is(b.length, 16 + 4);
    const crc = new DataView(b.buffer, b.byteOffset + 16, 4).getUint32(0, true);
    assert.is(crc, crc32c(b.subarray(0, 16)), key);
  }
  const rz = await RatZarr.open(path, { readOnly: true });
  assert.equal(Array.from(await rz.readBlock<"int32">("crc", 0, 6)), [100, 101, 102, 103, 104, 105]);
  await rz.close();
  const b = (await store.get("RAT/crc/c/1"))!;
  b[2]! ^= 1;
  await store.set("RAT/crc/c/1", b);
  const problems = await verifyRat(store);
  assert.equal(problems.map((p) => [p.kind, p.key, p.statement]), [["checksum", "RAT/crc/c/1", "F-6.7"]]);
  await fails(async () => (await RatZarr.open(path, { readOnly: true })).readBlock("crc", 4, 2), /checksum mismatch/);
});

for (const z of zarrPythons()) t(`F-6.8: sharding_indexed: (offset, length) uint64 pairs in C order with crc32c at the shard's end, an empty inner chunk as two 2^64-1, as zarr-python writes it; index at the start read back by zarr-python [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  python(`
a = zarr.create_array(store=LocalStore(inp), shape=(9,), chunks=(3,), shards=(9,), dtype="float32")
a[...] = np.array([1, 2, 3, 0, 0, 0, 7, 8, 9], dtype="float32")
`, dir);
  const store = new FileSystemStore(dir);
  const shard = (await store.get("c/0"))!;
  const index = shard.subarray(shard.length - (3 * 16 + 4));
  assert.is(new DataView(index.buffer, index.byteOffset + 48, 4).getUint32(0, true), crc32c(index.subarray(0, 48)));
  const pairs = Array.from({ length: 6 }, (_, i) => new DataView(index.buffer, index.byteOffset + 8 * i, 8).getBigUint64(0, true));
  const EMPTY = 2n ** 64n - 1n;
  assert.equal([pairs[2], pairs[3]], [EMPTY, EMPTY]);
  assert.is(pairs[0], 0n);
  assert.is(pairs[4], pairs[1]);
  assert.is(pairs[4]! + pairs[5]!, BigInt(shard.length - 52));
  assert.equal(Array.from(await (await ZarrArray.open(store, "")).read() as Float32Array), [1, 2, 3, 0, 0, 0, 7, 8, 9]);
  // Written here with the index first; zarr-python reads it.
  const mine = new FileSystemStore(join(dir, "start"));
  const LE = { name: "bytes", configuration: { endian: "little" } };
  const arr = await ZarrArray.create(mine, "", { shape: [9], dataType: "float32", chunkShape: [9], codecs: [{ name: "sharding_indexed", configuration: { chunk_shape: [3], codecs: [LE], index_codecs: [LE, { name: "crc32c" }], index_location: "start" } }] });
  await arr.write(0, Float32Array.from([1, 2, 3, 0, 0, 0, 7, 8, 9]));
  const s2 = (await mine.get("c/0"))!;
  const dv = new DataView(s2.buffer, s2.byteOffset);
  assert.equal([dv.getBigUint64(0, true), dv.getBigUint64(8, true), dv.getBigUint64(16, true)], [52n, 12n, EMPTY]);
  assert.equal(python(`out([float(x) for x in zarr.open_array(store=LocalStore(inp, read_only=True), mode="r")[...]])`, join(dir, "start")), [1, 2, 3, 0, 0, 0, 7, 8, 9]);
  // An entry pointing into the index is refused.
  dv.setBigUint64(0, 0n, true);
  const idx = s2.subarray(0, 48);
  dv.setUint32(48, crc32c(idx), true);
  await mine.set("c/0", s2);
  await fails(() => arr.read(), /outside the chunk data/);
});

for (const z of zarrPythons()) t(`F-6.9: RAT columns zarr-python made with big-endian bytes, gzip, crc32c and blosc read like any other; this library's own columns use only the default chain [zarr-python ${z.version}]`, async () => {
  const python = pythonOf(z);
  const dir = tempDir();
  const path = join(dir, "r.zarr");
  const rz = await RatZarr.open(path, quiet);
  await rz.setRowCount(5);
  await rz.createColumn("mine", "int64");
  await rz.writeBlock("mine", BigInt64Array.from([1n, 2n, 3n, 4n, 5n]), 0);
  await rz.close();
  python(`
g = zarr.open_group(store=LocalStore(inp), path="RAT", mode="a")
a = g.create_array("gz", shape=(5,), chunks=(2,), dtype="int64", serializer=zarr.codecs.BytesCodec(endian="big"), compressors=[zarr.codecs.GzipCodec(level=4), zarr.codecs.Crc32cCodec()], attributes={"MODIFICATIONLOG": []})
a[...] = np.array([5, 4, 3, 2, 1])
b = g.create_array("bl", shape=(5,), chunks=(2,), dtype="float64", compressors=[zarr.codecs.BloscCodec(cname="lz4", shuffle="shuffle")], attributes={"MODIFICATIONLOG": []})
b[...] = np.array([0.5, 1.5, 2.5, 3.5, 4.5])
`, path);
  const h = await RatZarr.open(path, { readOnly: true });
  assert.equal(Array.from(await h.readBlock<"int64">("gz", 0, 5)), [5n, 4n, 3n, 2n, 1n]);
  assert.equal(Array.from(await h.readBlock<"float64">("bl", 0, 5)), [0.5, 1.5, 2.5, 3.5, 4.5]);
  await h.close();
  assert.match(await new FileSystemStore(path).get("RAT/mine/zarr.json").then((b) => new TextDecoder().decode(b)), /"name": "bytes",\n {6}"configuration": \{\n {8}"endian": "little"\n {6}\}\n {4}\},\n {4}\{\n {6}"name": "zstd"/);
  assert.equal(await keys(new FileSystemStore(path), "RAT/mine/c/"), ["RAT/mine/c/0"]);
});

t.run();
