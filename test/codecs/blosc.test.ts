import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBloscCodec } from "../../src/codecs/blosc.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { CodecError, MetadataError } from "../../src/errors.js";
import { hex, rejects, shifted } from "../helpers/bytes.js";

const ctx = (decodedSize?: number, maxDecodedSize = 1 << 30) => ({ key: "b/c/0", decodedSize, maxDecodedSize });
const codec = createBloscCodec({ cname: "lz4", clevel: 5, shuffle: "shuffle", typesize: 4, blocksize: 0 }, "b/zarr.json");
const asInt32 = (b: Uint8Array): number[] => Array.from(new Int32Array(b.slice().buffer));

// Python numcodecs 0.16.6 (c-blosc 1.21): Blosc(cname, clevel=5, shuffle).encode(...) of little-endian int32 data.
const MOD10 = Array.from({ length: 1024 }, (_, i) => i % 10); // np.arange(1024) % 10
const LZ4_SHUFFLE = hex("0201210100100000001000005a0000001400000042000000f0160000000001000000020000000300000004000000050000000600000007000000080000000925000f2800ffffffffffffffffffffffffffffffce500003000000");
const ZLIB_SHUFFLE = hex("0201610100100000001000004e0000001400000036000000785eedcac909002000c4c0f5d6fe1b3660154202f94d9214aedcb8f3e0c98b379fbc743a9d4ea7d3e9743a9d4ea7d3fde92eb85911f5");
const BLOSCLZ_SHUFFLE = hex("0201010100100000001000005c00000014000000440000003f00000000010000000200000003000000040000000500000006000000070000000b080000000900000000000000e0ffffffffffffffffffffffffffffffd72702000000");
const ARANGE64 = Array.from({ length: 64 }, (_, i) => i);
const ZSTD_BITSHUFFLE = hex("02019401000100000001000041000000140000002900000028b52ffd600000fd0000301010001100110a8070c303e1a2a1403b9199ec0bb12253d6bbc65c930850");
// Blosc(cname="zstd", clevel=0, shuffle=0).encode(b"abc"): stored uncompressed (flag 0x02).
const MEMCPY_ABC = hex("02019201030000000300000013000000616263");
const EMPTY = hex("02019301000000000100000010000000");

test("configuration: names, levels and shuffle modes are checked", () => {
  const bad = [{ cname: "lzma" }, { clevel: 10 }, { clevel: -1 }, { shuffle: "bytes" }, { shuffle: 3 }, { typesize: 0 }, { blocksize: -1 }];
  for (const c of bad) assert.throws(() => createBloscCodec(c, "b/zarr.json"), (e: Error) => e instanceof MetadataError && e.message.includes("b/zarr.json"));
  for (const shuffle of ["noshuffle", "shuffle", "bitshuffle", 0, 1, 2, -1]) createBloscCodec({ shuffle }, "b/zarr.json");
  createBloscCodec({}, "b/zarr.json");
});

test("decodes c-blosc output of every internal compressor, from a subarray", async () => {
  for (const [name, bytes] of [["lz4", LZ4_SHUFFLE], ["zlib", ZLIB_SHUFFLE], ["blosclz", BLOSCLZ_SHUFFLE]] as const) {
    assert.equal(asInt32(await codec.decode(bytes, ctx(4096))), MOD10, name);
    assert.equal(asInt32(await codec.decode(shifted(bytes, 3), ctx())), MOD10, `${name} shifted`);
  }
  assert.equal(asInt32(await codec.decode(shifted(ZSTD_BITSHUFFLE, 1), ctx(256))), ARANGE64);
});

test("uncompressed (memcpyed) and empty buffers", async () => {
  assert.equal(Array.from(await codec.decode(shifted(MEMCPY_ABC, 2), ctx(3))), [0x61, 0x62, 0x63]);
  assert.is((await codec.decode(EMPTY, ctx(0))).length, 0);
  assert.is((await codec.decode(await codec.encode(new Uint8Array(0), ctx()), ctx())).length, 0);
});

test("truncated input is a CodecError naming the key", async () => {
  await rejects(() => codec.decode(LZ4_SHUFFLE.subarray(0, LZ4_SHUFFLE.length - 1), ctx()), /b\/c\/0/, /truncated/, /90 compressed bytes, only 89/);
  await rejects(() => codec.decode(LZ4_SHUFFLE.subarray(0, 15), ctx()), /truncated/, /15 bytes/);
  await rejects(() => codec.decode(new Uint8Array(0), ctx()), /truncated/);
  await rejects(() => codec.decode(MEMCPY_ABC.subarray(0, 18), ctx()), /truncated/);
});

test("header sizes are checked against the limit, the known size and each other", async () => {
  await rejects(() => codec.decode(LZ4_SHUFFLE, ctx(undefined, 4095)), /4096 decoded bytes/, /limit of 4095/);
  await rejects(() => codec.decode(LZ4_SHUFFLE, ctx(4000)), /4096/, /expected 4000/);
  const v3 = LZ4_SHUFFLE.slice();
  v3[0] = 3;
  await rejects(() => codec.decode(v3, ctx()), /version 3/);
  const small = MEMCPY_ABC.slice();
  small[12] = 8;
  await rejects(() => codec.decode(small, ctx()), /corrupt/);
  const liar = MEMCPY_ABC.slice();
  liar[4] = 2; // says 2 bytes of raw data but 3 follow
  await rejects(() => codec.decode(liar, ctx()), /corrupt/);
  // Bytes after cbytes are ignored, as c-blosc does.
  assert.equal(asInt32(await codec.decode(new Uint8Array([...LZ4_SHUFFLE, 1, 2, 3]), ctx())), MOD10);
});

test("round trips for every compressor and shuffle mode, odd sizes", async () => {
  for (const cname of ["blosclz", "lz4", "lz4hc", "zlib", "zstd", "snappy"]) {
    for (const shuffle of ["noshuffle", "shuffle", "bitshuffle"]) {
      const c = createBloscCodec({ cname, clevel: 5, shuffle, typesize: 8, blocksize: 0 }, "b/zarr.json");
      for (const n of [1, 1001, 100_003]) {
        const data = Uint8Array.from({ length: n }, (_, i) => (i % 17) * (i % 5));
        const enc = await c.encode(shifted(data, 3), ctx());
        const dec = await c.decode(shifted(enc, 1), ctx(n));
        assert.ok(dec.length === n && dec.every((x, i) => x === data[i]), `${cname} ${shuffle} ${n}`);
      }
    }
  }
});

test("pipeline: bytes + blosc for float64", async () => {
  const p = await CodecPipeline.create(
    [{ name: "bytes", configuration: { endian: "little" } }, { name: "blosc", configuration: { cname: "zstd", clevel: 3, shuffle: "bitshuffle", typesize: 8, blocksize: 0 } }],
    { shape: [9, 7], dataType: "float64", fillValue: 0 },
    "b/zarr.json",
  );
  const data = Float64Array.from({ length: 63 }, (_, i) => Math.sin(i));
  assert.equal(Array.from((await p.decode(await p.encode(data, ctx()), ctx())) as Float64Array), Array.from(data));
});

test.run();
