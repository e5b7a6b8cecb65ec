/**
 * Fixed-size binary values inside byte arrays, as the codecs' formats hold
 * them: little-endian unsigned integers (gzip trailers, blosc and zstd
 * headers, crc32c checksums, vlen-utf8 lengths), the host's byte order, and
 * IEEE 754 binary16 (float16). Offsets count from the start of the given
 * `Uint8Array` view, so a subarray reads the same as a copy.
 */

/** True on little-endian hosts (every mainstream one); decided once, from the platform's own byte order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian uint32 at byte `at` of `b`; the caller checks that its 4 bytes are there. */
export function readUint32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Write `value` (0 to 2^32-1) as a little-endian uint32 at byte `at` of `b`. */
export function writeUint32LE(b: Uint8Array, at: number, value: number): void {
  b[at] = value & 0xff;
  b[at + 1] = (value >>> 8) & 0xff;
  b[at + 2] = (value >>> 16) & 0xff;
  b[at + 3] = value >>> 24;
}

/**
 * The little-endian unsigned integer of `width` bytes (0 to 8) at byte `at` of `b`, for
 * fields whose width the format varies. Exact up to 2^53; a wider 8-byte value is rounded.
 */
export function readUintLE(b: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v += b[at + i]! * 2 ** (8 * i);
  return v;
}

/** A uint32 (a checksum, a magic number) as error messages show it: `0x` and 8 hex digits. */
export function hexUint32(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

/** The number an IEEE 754 binary16 bit pattern (0 to 0xffff) stands for: ±0, subnormals, ±Infinity and NaN included. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal (and ±0)
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
