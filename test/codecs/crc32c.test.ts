import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc32, crc32c, createCrc32cCodec } from "../../src/codecs/crc32c.js";
import { CodecError } from "../../src/errors.js";
import { hex, rejects, shifted } from "../helpers/bytes.js";

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const ctx = { key: "a/c/1", decodedSize: undefined, maxDecodedSize: 1 << 30 };
const codec = createCrc32cCodec({}, "a/zarr.json");

/** Bit-at-a-time reference, straight from the definition (reflected polynomial). */
function slowCrc(b: Uint8Array, poly: number): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test("check values: CRC-32C and CRC-32 of 123456789, and RFC 3720 B.4 vectors", () => {
  const digits = new TextEncoder().encode("123456789");
  assert.is(crc32c(digits), 0xe3069283);
  assert.is(crc32(digits), 0xcbf43926);
  assert.is(crc32c(new Uint8Array(0)), 0);
  assert.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test("table paths agree with the bitwise definition at every length and alignment", () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let len = 0; len < 150; len += 7) {
    const data = Uint8Array.from({ length: len }, rand);
    for (let by = 0; by < 8; by++) {
      const view = shifted(data, by);
      assert.is(crc32c(view), slowCrc(data, 0x82f63b78), `crc32c len ${len} offset ${by}`);
      assert.is(crc32(view), slowCrc(data, 0xedb88320), `crc32 len ${len} offset ${by}`);
    }
  }
});

test("a running CRC can be continued", () => {
  const a = Uint8Array.from({ length: 100 }, (_, i) => i * 7);
  const b = Uint8Array.from({ length: 77 }, (_, i) => i * 13);
  const ab = new Uint8Array(177);
  ab.set(a);
  ab.set(b, 100);
  assert.is(crc32c(b, crc32c(a)), crc32c(ab));
  assert.is(crc32(b, crc32(a)), crc32(ab));
});

test("encode appends the checksum little-endian; encodedSize is n + 4", async () => {
  const out = await codec.encode(new TextEncoder().encode("123456789"), ctx);
  assert.is(toHex(out), "313233343536373839" + "839206e3");
  assert.is(toHex(await codec.encode(new Uint8Array(0), ctx)), "00000000");
  assert.is(codec.encodedSize(10), 14);
  assert.is(codec.encodedSize(undefined), undefined);
});

test("decodes zarr-python's shard index (bytes + crc32c), also from a subarray", async () => {
  // Last 68 bytes of a shard written by zarr-python 3.1.6: 4 (offset, nbytes) uint64 pairs + CRC-32C.
  const index = hex(
    "0000000000000000 0c00000000000000 1800000000000000 0c00000000000000" +
    "0c00000000000000 0c00000000000000 ffffffffffffffff ffffffffffffffff d1606ea8",
  );
  for (const by of [0, 1, 5]) {
    const data = await codec.decode(shifted(index, by), ctx);
    assert.is(data.length, 64);
    assert.is(data[8], 0x0c);
  }
});

test("a corrupted byte or checksum is a CodecError naming the key and both checksums", async () => {
  const good = await codec.encode(new TextEncoder().encode("123456789"), ctx);
  const bad = good.slice();
  bad[0]! ^= 1;
  await rejects(() => codec.decode(bad, ctx), /a\/c\/1/, /0xe3069283/, /computed 0x[0-9a-f]{8}/);
  const badSum = good.slice();
  badSum[badSum.length - 1]! ^= 0x80;
  await rejects(() => codec.decode(badSum, ctx), /stored 0x63069283/, /computed 0xe3069283/);
});

test("input shorter than 4 bytes is a truncation error; empty data round-trips", async () => {
  await rejects(() => codec.decode(new Uint8Array(0), ctx), /a\/c\/1/, /truncated/, /0 bytes/);
  await rejects(() => codec.decode(hex("000000"), ctx), /truncated/, /3 bytes/);
  assert.is((await codec.decode(hex("00000000"), ctx)).length, 0);
});

test("round trip of 1 MiB at an odd offset", async () => {
  const data = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
  const enc = await codec.encode(shifted(data, 3), ctx);
  const dec = await codec.decode(shifted(enc, 1), ctx);
  assert.is(dec.length, data.length);
  assert.ok(dec.every((x, i) => x === data[i]));
});

test.run();
