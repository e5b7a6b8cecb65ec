/**
 * Compression bombs, built by hand in milliseconds: small gzip members and
 * zstd frames that decode to gigabytes of zeros. A decoder must refuse them
 * before allocating (or spending the time to make) that much.
 */

/** Bits written least significant first, as deflate packs them (RFC 1951 3.1.1). */
class BitWriter {
  readonly bytes: Uint8Array;
  private bit = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  /** A header field or extra bits: `count` bits of `value`, least significant first. */
  value(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.put((value >>> i) & 1);
  }
  /** A Huffman code: `count` bits of `code`, most significant first. */
  code(code: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.put((code >>> i) & 1);
  }
  advance(bits: number): void {
    this.bit += bits;
  }
  private put(b: number): void {
    if (b) this.bytes[this.bit >>> 3]! |= 1 << (this.bit & 7);
    this.bit++;
  }
  get length(): number {
    return (this.bit + 7) >>> 3;
  }
}

/**
 * A one-block dynamic-Huffman deflate stream of `1 + 258 * matches` zero bytes: a literal 0,
 * then `matches` times (length 258, distance 1), each 2 bits long (a 1-bit length code and a
 * 1-bit distance code), deflate's largest ratio, about 1032:1.
 */
export function deflateZeros(matches: number): Uint8Array {
  const w = new BitWriter(64 + Math.ceil((matches * 2) / 8));
  w.value(1, 1); // BFINAL
  w.value(2, 2); // BTYPE 10: dynamic Huffman
  w.value(29, 5); // HLIT: 286 literal/length codes
  w.value(0, 5); // HDIST: 1 distance code
  w.value(14, 4); // HCLEN: 18 code length codes
  // Code length code lengths in RFC order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1: 18 → 1 bit, 2 → 2, 1 → 2.
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
  const clLength: Record<number, number> = { 18: 1, 2: 2, 1: 2 };
  for (const s of order) w.value(clLength[s] ?? 0, 3);
  // Canonical codes of that code: 18 → 0, 1 → 10, 2 → 11.
  const cl = (s: number) => (s === 18 ? w.code(0, 1) : w.code(s === 1 ? 2 : 3, 2));
  // Literal/length lengths: 0 → 2, 1..255 → 0, 256 → 2, 257..284 → 0, 285 → 1; distance 0 → 1.
  const zeros = (n: number) => {
    cl(18);
    w.value(n - 11, 7);
  };
  cl(2);
  zeros(138);
  zeros(117);
  cl(2);
  zeros(28);
  cl(1);
  cl(1);
  // Canonical literal/length codes: 285 → 0, 0 → 10, 256 → 11; distance 0 → 0.
  w.code(2, 2); // literal 0
  w.advance(matches * 2); // each match: length code 0, distance code 0
  w.code(3, 2); // end of block
  return w.bytes.subarray(0, w.length);
}

/** A gzip member around `deflate`, whose trailer says CRC-32 `crc` and size `isize` (lies welcome). */
export function gzipMember(deflate: Uint8Array, crc: number, isize: number): Uint8Array {
  const out = new Uint8Array(10 + deflate.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  out.set(deflate, 10);
  const t = new DataView(out.buffer, 10 + deflate.length, 8);
  t.setUint32(0, crc >>> 0, true);
  t.setUint32(4, isize >>> 0, true);
  return out;
}

/** A gzip member that inflates to about `bytes` zero bytes, with a trailer claiming `isize` bytes. */
export function gzipBomb(bytes: number, isize: number): Uint8Array {
  return gzipMember(deflateZeros(Math.max(0, Math.ceil((bytes - 1) / 258))), 0, isize);
}

/**
 * A zstd frame of `blocks` RLE blocks of 128 KiB zeros (4 bytes each), so 32768 blocks
 * decode to 4 GiB. `contentSize`: the Frame_Content_Size to announce (8-byte field), or
 * undefined for none (then a 128 MiB window is declared).
 */
export function zstdRleBomb(blocks: number, contentSize: number | bigint | undefined): Uint8Array {
  const header = contentSize === undefined ? 6 : 14;
  const out = new Uint8Array(header + 4 * blocks);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xfd2fb528, true);
  if (contentSize === undefined) {
    out[4] = 0x00; // no content size, not single segment, no checksum, no dictionary
    out[5] = (27 - 10) << 3; // window 2^27
  } else {
    out[4] = 0xc0; // 8-byte content size, not single segment
    out[5] = (27 - 10) << 3;
    v.setBigUint64(6, BigInt(contentSize), true);
  }
  const size = 128 * 1024;
  for (let i = 0; i < blocks; i++) {
    const h = (size << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0); // RLE block
    const p = header + 4 * i;
    out[p] = h & 0xff;
    out[p + 1] = (h >>> 8) & 0xff;
    out[p + 2] = (h >>> 16) & 0xff;
    out[p + 3] = 0; // the byte repeated
  }
  return out;
}
