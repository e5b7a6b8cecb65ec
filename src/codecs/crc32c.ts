/**
 * The `crc32c` bytes→bytes codec (spec: codecs/crc32c v1.0): appends the
 * CRC-32C (Castagnoli) checksum of the data as 4 little-endian bytes. Also
 * home of the table-driven CRC-32 family used by gzip trailers.
 */
import type { BytesToBytesCodec, JsonObject } from "./codec.js";
import { CodecError } from "../errors.js";
import { HOST_LITTLE_ENDIAN, hexUint32, readUint32LE, writeUint32LE } from "./binary.js";

const NAME = "crc32c";

/** Slicing-by-8 tables for a reflected CRC-32 polynomial: 8 × 256 entries, table k advancing k more zero bytes. */
function makeTables(polynomial: number): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

/** Continue the CRC `crc` (a finished value, 0 to start) over `b`. */
function update(t: Int32Array, crc: number, b: Uint8Array): number {
  let c = ~crc;
  const n = b.length;
  let i = 0;
  // On little-endian hosts an Int32Array word holds bytes i..i+3 in CRC order.
  if (HOST_LITTLE_ENDIAN && n >= 64) {
    // Reach a 4-byte boundary of the underlying buffer, then read whole words (about 1.6x faster than bytes).
    for (; ((b.byteOffset + i) & 3) !== 0; i++) c = t[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
    const words = new Int32Array(b.buffer, b.byteOffset + i, ((n - i) >>> 3) * 2);
    for (let k = 0; k < words.length; k += 2) {
      const a = c ^ words[k]!;
      const d = words[k + 1]!;
      c =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + (d & 0xff)]! ^
        t[512 + ((d >>> 8) & 0xff)]! ^
        t[256 + ((d >>> 16) & 0xff)]! ^
        t[d >>> 24]!;
    }
    i += words.length * 4;
  }
  // Eight bytes per step: four folded into the running CRC, four looked up directly.
  for (const end = n - 7; i < end; i += 8) {
    const a = c ^ readUint32LE(b, i);
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + b[i + 4]!]! ^
      t[512 + b[i + 5]!]! ^
      t[256 + b[i + 6]!]! ^
      t[b[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const CASTAGNOLI = makeTables(0x82f63b78);
let ieee: Int32Array | undefined;

/** CRC-32C (Castagnoli, as in iSCSI and the Zarr `crc32c` codec) of `bytes`; pass a previous result as `crc` to continue it. */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  return update(CASTAGNOLI, crc, bytes);
}

/** CRC-32 (IEEE 802.3, as in gzip and zlib) of `bytes`; pass a previous result as `crc` to continue it. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  ieee ??= makeTables(0xedb88320);
  return update(ieee, crc, bytes);
}

/** Make a `crc32c` codec; its configuration is empty. */
export function createCrc32cCodec(_configuration: JsonObject, _file: string): BytesToBytesCodec {
  return {
    kind: "bytes_to_bytes",
    name: NAME,
    encodedSize: (decodedSize) => (decodedSize === undefined ? undefined : decodedSize + 4),

    encode(bytes) {
      const out = new Uint8Array(bytes.byteLength + 4);
      out.set(bytes);
      writeUint32LE(out, bytes.byteLength, crc32c(bytes));
      return out;
    },

    decode(bytes, ctx) {
      const n = bytes.byteLength - 4;
      if (n < 0) throw new CodecError(NAME, ctx.key, `truncated: ${bytes.byteLength} bytes, a checksum alone needs 4`);
      const data = bytes.subarray(0, n);
      const stored = readUint32LE(bytes, n);
      const actual = crc32c(data);
      if (stored !== actual) {
        throw new CodecError(NAME, ctx.key, `checksum mismatch: stored ${hexUint32(stored)}, computed ${hexUint32(actual)} over ${n} bytes`);
      }
      return data;
    },
  };
}
