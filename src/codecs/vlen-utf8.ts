/**
 * The `vlen-utf8` array→bytes codec (zarr-extensions; numcodecs' VLenUTF8):
 * a little-endian uint32 element count, then per element in C order a
 * little-endian uint32 byte length and that many UTF-8 bytes.
 */
import { elementCount } from "../grid.js";
import type { ArrayToBytesCodec, ChunkSpec, JsonObject } from "./codec.js";
import type { ChunkData } from "../data-types.js";
import { describeArray } from "../data-types.js";
import { CodecError } from "../errors.js";
import { readUint32LE, writeUint32LE } from "./binary.js";
import type { ScratchLease } from "./scratch.js";

const NAME = "vlen-utf8";
const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
/** Make a `vlen-utf8` codec (for data type "string"); its configuration is empty. */
export function createVlenUtf8Codec(_configuration: JsonObject, _file: string): ArrayToBytesCodec {
  return {
    kind: "array_to_bytes",
    name: NAME,
    encodedSize: () => undefined,
    decodesPrefix: true,
    consumesBytes: true,
    splits: true,

    encode(data: ChunkData, spec: ChunkSpec, ctx) {
      const count = checkSpec(spec, ctx.key);
      if (!Array.isArray(data)) throw new CodecError(NAME, ctx.key, `expected an array of strings, got ${describeArray(data)}`);
      if (data.length !== count) {
        throw new CodecError(NAME, ctx.key, `chunk array has ${data.length} elements, expected ${count} (shape [${spec.shape.join(", ")}])`);
      }
      return encodeStrings(data as unknown[], ctx.key, ctx.scratch);
    },

    decode(bytes: Uint8Array, spec: ChunkSpec, ctx) {
      const count = checkSpec(spec, ctx.key);
      const needed = ctx.neededElements;
      return decodeStrings(bytes, count, ctx.key, needed !== undefined && needed < count ? needed : count);
    },
  };
}

/** The element count of `spec`, refusing data types other than string. */
function checkSpec(spec: ChunkSpec, key: string): number {
  if (spec.dataType !== "string") {
    throw new CodecError(NAME, key, `only data type "string" is supported, not "${spec.dataType}" (use the bytes codec)`);
  }
  return elementCount(spec.shape);
}

/**
 * The chunk's bytes. With `scratch` (the bytes only feed a compressor): written into a lent
 * buffer, reused from chunk to chunk (a fresh one of 100 MB costs more in page faults than
 * the encoding itself: scratch.ts).
 */
function encodeStrings(data: readonly unknown[], key: string, scratch?: ScratchLease): Uint8Array {
  const count = data.length;
  if (count > 0xffffffff) throw new CodecError(NAME, key, `${count} elements do not fit the uint32 element count`);
  let remainingChars = 0;
  for (let i = 0; i < count; i++) {
    const s = data[i];
    if (typeof s !== "string") throw new CodecError(NAME, key, `element ${i} is ${s === null ? "null" : typeof s}, not a string`);
    remainingChars += s.length;
  }
  // Sized for ASCII text and an eighth more (a few accented characters need no growth);
  // grown when a string needs more.
  const alloc = (n: number) => (scratch === undefined ? new Uint8Array(n) : scratch.bytes(n));
  let out: Uint8Array = alloc(4 + 4 * count + remainingChars + (remainingChars >> 3));
  writeUint32LE(out, 0, count);
  // Room to grow by for the elements after element `i`: their length fields and ASCII bytes.
  const after = (i: number) => 4 * (count - i - 1) + remainingChars;
  let p = 4;
  for (let i = 0; i < count; i++) {
    const s = data[i] as string;
    const len = s.length;
    remainingChars -= len;
    const q = p + 4;
    if (q + len > out.length) out = grow(out, p, q + len + after(i), alloc);
    let written = len;
    if (len >= SHORT) {
      // ASCII fits in `len` bytes, and any other text needs more (every non-ASCII UTF-16 unit
      // takes 2-3 UTF-8 bytes), so the native encoder given `len` bytes reads all of `s`
      // exactly when it is ASCII.
      if (encoder.encodeInto(s, out.subarray(q, q + len)).read !== len) {
        // Not ASCII: at most 3 UTF-8 bytes per UTF-16 unit (a lone surrogate becomes U+FFFD, 3 bytes).
        const need = q + 3 * len;
        if (need > out.length) out = grow(out, p, need + after(i), alloc);
        written = encoder.encodeInto(s, out.subarray(q, need)).written;
      }
    } else {
      // Short strings in JavaScript: cheaper than a native call, and nothing allocated (the
      // views and result objects of native calls would wake the collector, which then copies
      // the caller's young strings).
      let j = 0;
      for (; j < len; j++) {
        const c = s.charCodeAt(j);
        if (c >= 0x80) break;
        out[q + j] = c;
      }
      if (j < len) {
        if (q + 3 * len > out.length) out = grow(out, q + j, q + 3 * len + after(i), alloc);
        written = utf8Tail(s, j, out, q + j) - q;
      }
    }
    writeUint32LE(out, p, written);
    p = q + written;
  }
  // A view when the buffer is lent or little is unused (the bytes are compressed or stored, then dropped), else a copy.
  return p === out.length || scratch !== undefined || p >= out.length * 0.75 ? out.subarray(0, p) : out.slice(0, p);
}

/** Strings shorter than this are encoded in JavaScript (`utf8Tail`), longer ones by the native encoder. */
const SHORT = 32;

/**
 * Write the UTF-8 of `s` from UTF-16 unit `from` on into `out` at `at` (room for 3 bytes a
 * unit), as TextEncoder does: a lone surrogate becomes U+FFFD. The end position.
 */
function utf8Tail(s: string, from: number, out: Uint8Array, at: number): number {
  const len = s.length;
  for (let j = from; j < len; j++) {
    let c = s.charCodeAt(j);
    if (c < 0x80) {
      out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && j + 1 < len ? s.charCodeAt(j + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          j++;
          out[at++] = 0xf0 | (c >> 18);
          out[at++] = 0x80 | ((c >> 12) & 0x3f);
          out[at++] = 0x80 | ((c >> 6) & 0x3f);
          out[at++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

/** A larger copy of `out` holding its first `used` bytes, with room for at least `need` bytes. */
function grow(out: Uint8Array, used: number, need: number, alloc: (n: number) => Uint8Array): Uint8Array {
  const bigger = alloc(Math.max(need, Math.ceil(out.length * 1.5)));
  bigger.set(out.subarray(0, used));
  return bigger;
}

/**
 * One pass in JavaScript over the chunk copies every element's bytes into one run (dropping
 * the length fields), counts each element's UTF-16 length and checks that no UTF-8 sequence
 * crosses an element's bounds; one native strict UTF-8 decode then makes the whole text, and
 * the elements are substrings of it: 2-3x faster than a decoder call per element for short
 * strings. Chunks of long strings (mean 32 bytes or more) are decoded element by element.
 */
function decodeStrings(bytes: Uint8Array, expected: number, key: string, wanted = expected): string[] {
  const n = bytes.byteLength;
  if (n < 4) throw new CodecError(NAME, key, `truncated: ${n} bytes, the element count alone needs 4`);
  const all = readUint32LE(bytes, 0);
  if (all !== expected) throw new CodecError(NAME, key, `chunk holds ${all} elements, expected ${expected}`);
  // Too short for the length fields alone: say where it breaks, before allocating for `count`.
  if (4 + 4 * all > n) throw framingError(bytes, all, key);
  // Only the first `wanted` elements are made (an edge chunk's rows inside the array); the rest
  // are not walked, so their framing is not checked.
  const count = wanted;
  // Long elements: a native decode each costs less than the JavaScript pass over their bytes.
  if (n - 4 - 4 * all >= LONG_ELEMENT * all) return decodeEach(bytes, count, key, count === all);
  const body = new Uint8Array(n - 4 - 4 * all);
  const ends = new Uint32Array(count);
  let p = 4;
  let q = 0;
  let units = 0;
  for (let i = 0; i < count; i++) {
    if (n - p < 4) throw lengthFieldCut(key, i, p, n);
    const len = readUint32LE(bytes, p);
    p += 4;
    if (len > n - p || len > body.length - q) throw claimsTooMuch(key, i, p - 4, len, Math.min(n - p, body.length - q), n);
    const end = p + len;
    // `need`: continuation bytes still due in the current sequence.
    let need = 0;
    let broken = false;
    for (; p < end; p++) {
      const b = bytes[p]!;
      body[q++] = b;
      if (b < 0x80) {
        units++;
        broken ||= need !== 0;
      } else if (b < 0xc0) {
        if (need === 0) broken = true;
        else need--;
      } else {
        broken ||= need !== 0;
        need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
        units += b >= 0xf0 ? 2 : 1;
      }
    }
    if (broken || need !== 0) throw notUtf8(key, i, end - len, len);
    ends[i] = units;
  }
  if (count === all && p !== n) throw trailingBytes(key, count, p, n);
  let text: string;
  try {
    text = utf8.decode(q === body.length ? body : body.subarray(0, q));
  } catch {
    throw firstInvalid(bytes, count, key);
  }
  if (text.length !== units) throw firstInvalid(bytes, count, key);
  const out = new Array<string>(count);
  let from = 0;
  for (let i = 0; i < count; i++) {
    const to = ends[i]!;
    out[i] = text.substring(from, to);
    from = to;
  }
  return out;
}

/** Mean element size in bytes from which elements are decoded one by one (measured: 200-byte strings 4x faster that way, 7-byte ones 3x slower). */
const LONG_ELEMENT = 32;

function decodeEach(bytes: Uint8Array, count: number, key: string, checkEnd: boolean): string[] {
  const n = bytes.byteLength;
  const out = new Array<string>(count);
  let p = 4;
  for (let i = 0; i < count; i++) {
    if (n - p < 4) throw lengthFieldCut(key, i, p, n);
    const len = readUint32LE(bytes, p);
    p += 4;
    if (len > n - p) throw claimsTooMuch(key, i, p - 4, len, n - p, n);
    try {
      out[i] = utf8.decode(bytes.subarray(p, p + len));
    } catch (e) {
      throw notUtf8(key, i, p, len, e);
    }
    p += len;
  }
  if (checkEnd && p !== n) throw trailingBytes(key, count, p, n);
  return out;
}

/** The error for a chunk whose length fields run past its end (walks them to the first that does). */
function framingError(bytes: Uint8Array, count: number, key: string): CodecError {
  const n = bytes.byteLength;
  let p = 4;
  for (let i = 0; i < count; i++) {
    if (n - p < 4) return lengthFieldCut(key, i, p, n);
    const len = readUint32LE(bytes, p);
    if (len > n - p - 4) return claimsTooMuch(key, i, p, len, n - p - 4, n);
    p += 4 + len;
  }
  return new CodecError(NAME, key, `truncated: ${count} elements need at least ${4 + 4 * count} bytes, the chunk has ${n}`);
}

const lengthFieldCut = (key: string, i: number, p: number, n: number) =>
  new CodecError(NAME, key, `truncated: length of element ${i} at byte ${p} needs 4 bytes, only ${n - p} left of ${n}`);
const claimsTooMuch = (key: string, i: number, at: number, len: number, left: number, n: number) =>
  new CodecError(NAME, key, `element ${i} at byte ${at} claims ${len} bytes, only ${left} left of ${n}`);
const trailingBytes = (key: string, count: number, p: number, n: number) =>
  new CodecError(NAME, key, `${n - p} unexpected bytes after the last of ${count} elements, at byte ${p} of ${n}`);

/** Element `i`, `len` bytes at byte `at`, is not UTF-8 on its own. */
const notUtf8 = (key: string, i: number, at: number, len: number, cause?: unknown) =>
  new CodecError(NAME, key, `element ${i} at byte ${at} (${len} bytes) is not valid UTF-8`, cause === undefined ? undefined : { cause });

/** The error for the first element that the strict decoder refuses (the framing is known to be sound). */
function firstInvalid(bytes: Uint8Array, count: number, key: string): CodecError {
  let p = 4;
  for (let i = 0; i < count; i++) {
    const len = readUint32LE(bytes, p);
    try {
      utf8.decode(bytes.subarray(p + 4, p + 4 + len));
    } catch (e) {
      return notUtf8(key, i, p + 4, len, e);
    }
    p += 4 + len;
  }
  return new CodecError(NAME, key, "the elements do not decode as UTF-8");
}
