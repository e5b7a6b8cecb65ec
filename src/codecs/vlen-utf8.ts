/**
 * The `vlen-utf8` array→bytes codec (zarr-extensions; numcodecs' VLenUTF8):
 * a little-endian uint32 element count, then per element in C order a
 * little-endian uint32 byte length and that many UTF-8 bytes.
 */
import type { ArrayToBytesCodec, ChunkSpec, JsonObject } from "./codec.js";
import type { ChunkData } from "../data-types.js";
import { describeArray } from "../data-types.js";
import { CodecError } from "../errors.js";

const NAME = "vlen-utf8";
/** A character outside ASCII in a single-byte decoding (bytes 0x80-0xff). */
const NON_ASCII = /[^\u0000-\u007f]/;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
/**
 * A single-byte decoder (WHATWG "latin1" is windows-1252): one UTF-16 unit
 * per byte, so an ASCII element is a substring of the whole chunk decoded
 * once, about twice as fast as a TextDecoder call per element. Absent on
 * runtimes without the label; then every element goes through `utf8`.
 */
const singleByte = ((): InstanceType<typeof TextDecoder> | undefined => {
  try {
    return new TextDecoder("latin1");
  } catch {
    return undefined;
  }
})();

/** Make a `vlen-utf8` codec (for data type "string"); its configuration is empty. */
export function createVlenUtf8Codec(_configuration: JsonObject, _file: string): ArrayToBytesCodec {
  return {
    kind: "array_to_bytes",
    name: NAME,
    encodedSize: () => undefined,

    encode(data: ChunkData, spec: ChunkSpec, ctx) {
      const count = checkSpec(spec, ctx.key);
      if (!Array.isArray(data)) throw new CodecError(NAME, ctx.key, `expected an array of strings, got ${describeArray(data)}`);
      if (data.length !== count) {
        throw new CodecError(NAME, ctx.key, `chunk array has ${data.length} elements, expected ${count} (shape [${spec.shape.join(", ")}])`);
      }
      return encodeStrings(data as unknown[], ctx.key);
    },

    decode(bytes: Uint8Array, spec: ChunkSpec, ctx) {
      return decodeStrings(bytes, checkSpec(spec, ctx.key), ctx.key);
    },
  };
}

/** The element count of `spec`, refusing data types other than string. */
function checkSpec(spec: ChunkSpec, key: string): number {
  if (spec.dataType !== "string") {
    throw new CodecError(NAME, key, `only data type "string" is supported, not "${spec.dataType}" (use the bytes codec)`);
  }
  let n = 1;
  for (const d of spec.shape) n *= d;
  return n;
}

function encodeStrings(data: readonly unknown[], key: string): Uint8Array {
  const count = data.length;
  if (count > 0xffffffff) throw new CodecError(NAME, key, `${count} elements do not fit the uint32 element count`);
  let remainingChars = 0;
  for (let i = 0; i < count; i++) {
    const s = data[i];
    if (typeof s !== "string") throw new CodecError(NAME, key, `element ${i} is ${s === null ? "null" : typeof s}, not a string`);
    remainingChars += s.length;
  }
  // Sized for all-ASCII text (exact then); grown when a string needs more.
  let out: Uint8Array = new Uint8Array(4 + 4 * count + remainingChars);
  putU32(out, 0, count);
  let p = 4;
  for (let i = 0; i < count; i++) {
    const s = data[i] as string;
    const len = s.length;
    remainingChars -= len;
    const q = p + 4;
    if (q + len > out.length) out = grow(out, p, q + len + 4 * (count - i - 1) + remainingChars);
    let written = len;
    // ASCII fits in `len` bytes, and any other text needs more (every non-ASCII UTF-16 unit
    // takes 2-3 UTF-8 bytes), so the native encoder given `len` bytes reads all of `s` exactly
    // when it is ASCII. Short strings go through a JS loop, cheaper than a native call.
    let ascii: boolean;
    if (len >= 32) {
      ascii = encoder.encodeInto(s, out.subarray(q, q + len)).read === len;
    } else {
      let j = 0;
      for (; j < len; j++) {
        const c = s.charCodeAt(j);
        if (c >= 0x80) break;
        out[q + j] = c;
      }
      ascii = j === len;
    }
    if (!ascii) {
      // Not ASCII: at most 3 UTF-8 bytes per UTF-16 unit (a lone surrogate becomes U+FFFD, 3 bytes).
      const need = q + 3 * len;
      if (need > out.length) out = grow(out, p, need + 4 * (count - i - 1) + remainingChars);
      written = encoder.encodeInto(s, out.subarray(q, need)).written;
    }
    putU32(out, p, written);
    p = q + written;
  }
  return p === out.length ? out : out.slice(0, p);
}

/** A larger copy of `out` holding its first `used` bytes, with room for at least `need` bytes. */
function grow(out: Uint8Array, used: number, need: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(need, Math.ceil(out.length * 1.5)));
  bigger.set(out.subarray(0, used));
  return bigger;
}

function decodeStrings(bytes: Uint8Array, expected: number, key: string): string[] {
  const n = bytes.byteLength;
  if (n < 4) throw new CodecError(NAME, key, `truncated: ${n} bytes, the element count alone needs 4`);
  const count = u32(bytes, 0);
  if (count !== expected) throw new CodecError(NAME, key, `chunk holds ${count} elements, expected ${expected}`);
  const out = new Array<string>(count);
  let whole: string | undefined;
  // One native scan: a chunk with no byte >= 0x80 is all ASCII, and every element is a
  // substring of the chunk decoded once.
  const allAscii = singleByte !== undefined && !NON_ASCII.test((whole = singleByte.decode(bytes)));
  let p = 4;
  for (let i = 0; i < count; i++) {
    if (n - p < 4) throw new CodecError(NAME, key, `truncated: length of element ${i} at byte ${p} needs 4 bytes, only ${n - p} left of ${n}`);
    const len = u32(bytes, p);
    p += 4;
    if (len > n - p) throw new CodecError(NAME, key, `element ${i} at byte ${p - 4} claims ${len} bytes, only ${n - p} left of ${n}`);
    const end = p + len;
    if (allAscii) {
      out[i] = whole!.substring(p, end);
      p = end;
      continue;
    }
    // Mixed chunk: each element is tested natively on the single-byte decoding; ASCII ones
    // are substrings of it, the rest go through the strict UTF-8 decoder.
    const sub = whole === undefined ? undefined : whole.substring(p, end);
    if (sub !== undefined && !NON_ASCII.test(sub)) {
      out[i] = sub;
    } else {
      try {
        out[i] = utf8.decode(bytes.subarray(p, end));
      } catch (e) {
        throw new CodecError(NAME, key, `element ${i} at byte ${p} (${len} bytes) is not valid UTF-8`, { cause: e });
      }
    }
    p = end;
  }
  if (p !== n) throw new CodecError(NAME, key, `${n - p} unexpected bytes after the last of ${count} elements, at byte ${p} of ${n}`);
  return out;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}
