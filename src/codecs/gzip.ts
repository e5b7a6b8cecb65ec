/**
 * The `gzip` bytes→bytes codec (spec: codecs/gzip v1.0, RFC 1952), on
 * fflate. fflate checks neither a member's CRC-32 nor its size, and its
 * one-shot decoder reads only the first member, so both are checked here.
 * Output is bounded as it is made: by the size the pipeline expects, else by
 * the size a single member's trailer announces, else by the limit, so a small
 * member that inflates to gigabytes (a bomb) is refused early in time and memory.
 */
import { Gunzip, gunzipSync, gzipSync, type DeflateOptions } from "fflate";
import type { BytesToBytesCodec, JsonObject } from "./codec.js";
import { crc32 } from "./crc32c.js";
import { hexUint32, readUint32LE } from "./binary.js";
import { CodecError, MetadataError, showValue } from "../errors.js";

const NAME = "gzip";
/** Smallest gzip member: 10-byte header, 2-byte empty deflate stream, 8-byte trailer. */
const MIN_MEMBER = 20;
/** Input fed per step to the streaming decoder: deflate expands at most ~1032x, so one step yields at most ~16 MiB. */
const STEP = 16 * 1024;
/** Deflate's largest expansion (RFC 1951: a 258-byte match per 2 bits of input). */
const MAX_RATIO = 1032;
/**
 * The one-shot decoder cannot stop early: it inflates all its input, whatever the buffer it
 * fills. It is used only when that is at most this much more than the member's size (about
 * 0.4 s of inflating), so a small member whose trailer lies cannot cost seconds or minutes
 * (a 4 MB one inflates to 4 GiB). The price: a 4 MB chunk compressed less than ~60:1 goes
 * through the streaming decoder, measured 1.4x (39:1) to 1.75x (1.1:1) slower here.
 */
const ONE_SHOT_SLACK = 64 * 1024 * 1024;

/** Make a `gzip` codec; `{"level": 0..9}` (absent: 5, zarr-python's default). */
export function createGzipCodec(configuration: JsonObject, file: string): BytesToBytesCodec {
  const level = configuration["level"] ?? 5;
  if (typeof level !== "number" || !Number.isInteger(level) || level < 0 || level > 9) {
    throw new MetadataError(file, "codecs", `gzip codec: "level" must be an integer from 0 to 9, got ${showValue(level)}`);
  }
  return {
    kind: "bytes_to_bytes",
    name: NAME,
    encodedSize: () => undefined,

    encode(bytes) {
      // mtime 0: the same data always gives the same bytes.
      return gzipSync(bytes, { level: level as NonNullable<DeflateOptions["level"]>, mtime: 0 });
    },

    decode(bytes, ctx) {
      const n = bytes.byteLength;
      if (n < MIN_MEMBER) throw new CodecError(NAME, ctx.key, `truncated: ${n} bytes, a gzip member needs at least ${MIN_MEMBER}`);
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 8) {
        throw new CodecError(NAME, ctx.key, `not gzip data: starts with ${hexBytes(bytes.subarray(0, 3))}, expected 1f 8b 08`);
      }
      // RFC 1952: ISIZE, the last member's size mod 2^32, is a lower bound on the whole output.
      const isize = readUint32LE(bytes, n - 4);
      if (isize > ctx.maxDecodedSize) {
        throw new CodecError(NAME, ctx.key, `gzip trailer announces ${isize} decoded bytes, more than the limit of ${ctx.maxDecodedSize} (corrupt or truncated data?)`);
      }
      const known = ctx.decodedSize;
      if (!mayHoldSeveralMembers(bytes)) {
        // One member: ISIZE is its size mod 2^32, so its size when the limit is below 4 GiB.
        if (known !== undefined && known % 2 ** 32 !== isize) {
          throw new CodecError(NAME, ctx.key, `gzip trailer announces ${isize} decoded bytes, expected ${known} (corrupt or truncated data?)`);
        }
        const size = known ?? (ctx.maxDecodedSize < 2 ** 32 ? isize : undefined);
        if (size !== undefined) {
          if (MAX_RATIO * n <= size + ONE_SHOT_SLACK) {
            // Small, or compressing so well that inflating all of it costs little: in one shot,
            // straight into a buffer of the announced size, then check its CRC.
            try {
              const out = gunzipSync(bytes, { out: new Uint8Array(size) });
              if (out.length === size && crc32(out) === readUint32LE(bytes, n - 8)) return out;
            } catch {
              // Damage: the streaming path below says where.
            }
          }
          return inflateMember(bytes, ctx.key, size);
        }
      }
      return decodeMembers(bytes, ctx.key, ctx.maxDecodedSize, known, `the limit of ${ctx.maxDecodedSize} bytes`);
    },
  };
}

/**
 * False when `b` surely holds one member: every later member would start
 * with 1f 8b 08 and a flags byte with its reserved bits clear (RFC 1952
 * 2.3.1). Compressed data matches by chance now and then; that only costs
 * the slower member-by-member path.
 */
function mayHoldSeveralMembers(b: Uint8Array): boolean {
  const last = b.length - MIN_MEMBER;
  for (let i = b.indexOf(0x1f, MIN_MEMBER); i !== -1 && i <= last; i = b.indexOf(0x1f, i + 1)) {
    if (b[i + 1] === 0x8b && b[i + 2] === 8 && (b[i + 3]! & 0xe0) === 0) return true;
  }
  return false;
}

/**
 * Decode a gzip stream of one member whose decoded size is `size`, streaming into a buffer of
 * that size: stopped as soon as the output passes it (a bomb whose trailer lies), never holding
 * more than the buffer and one step's output.
 */
function inflateMember(bytes: Uint8Array, key: string, size: number): Uint8Array {
  const n = bytes.byteLength;
  const out = new Uint8Array(size);
  let total = 0;
  const g = new Gunzip();
  g.ondata = (chunk) => {
    if (total + chunk.length > size) throw new CodecError(NAME, key, `decoded more than the ${size} bytes its trailer announces (corrupt data, or a compression bomb)`);
    out.set(chunk, total);
    total += chunk.length;
  };
  try {
    for (let p = 0; p < n; p += STEP) g.push(bytes.subarray(p, Math.min(n, p + STEP)), p + STEP >= n);
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(NAME, key, `corrupt or truncated gzip data (${n} bytes): ${e instanceof Error ? e.message : showValue(e)}`, { cause: e });
  }
  const crc = readUint32LE(bytes, n - 8);
  const actual = crc32(out.subarray(0, total));
  if (total !== size || crc !== actual) {
    throw new CodecError(NAME, key, `gzip member fails its trailer check: CRC ${hexUint32(actual)} vs stored ${hexUint32(crc)}, size ${total} vs stored ${size} (corrupt or truncated data)`);
  }
  return out;
}

/** Decode every member of a (possibly multi-member) gzip stream, checking each trailer and the running size against `max` (`what` says what it is). */
function decodeMembers(bytes: Uint8Array, key: string, max: number, known: number | undefined, what: string): Uint8Array {
  const n = bytes.byteLength;
  const pieces: Uint8Array[] = [];
  const memberStarts = [0];
  const outputStarts = [0];
  let total = 0;
  const g = new Gunzip();
  g.ondata = (chunk) => {
    total += chunk.length;
    if (total > max) throw new CodecError(NAME, key, `decoded more than ${what}`);
    if (chunk.length > 0) pieces.push(chunk);
  };
  g.onmember = (offset) => {
    memberStarts.push(offset);
    outputStarts.push(total);
  };
  try {
    for (let p = 0; p < n; p += STEP) g.push(bytes.subarray(p, Math.min(n, p + STEP)), p + STEP >= n);
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(NAME, key, `corrupt or truncated gzip data (${n} bytes): ${e instanceof Error ? e.message : showValue(e)}`, { cause: e });
  }
  const out = new Uint8Array(total);
  for (let i = 0, p = 0; i < pieces.length; p += pieces[i]!.length, i++) out.set(pieces[i]!, p);
  // Check each member against its trailer (CRC-32 and ISIZE), which fflate skips.
  memberStarts.push(n);
  outputStarts.push(total);
  for (let m = 0; m + 1 < memberStarts.length; m++) {
    const end = memberStarts[m + 1]!;
    const data = out.subarray(outputStarts[m]!, outputStarts[m + 1]!);
    if (end - memberStarts[m]! < MIN_MEMBER) {
      throw new CodecError(NAME, key, `gzip member ${m} at byte ${memberStarts[m]} is truncated: ${end - memberStarts[m]!} bytes`);
    }
    const crc = readUint32LE(bytes, end - 8);
    const size = readUint32LE(bytes, end - 4);
    const actual = crc32(data);
    if (crc !== actual || size !== data.length % 2 ** 32) {
      throw new CodecError(NAME, key, `gzip member ${m} at byte ${memberStarts[m]} fails its trailer check: CRC ${hexUint32(actual)} vs stored ${hexUint32(crc)}, size ${data.length} vs stored ${size} (corrupt or truncated data)`);
    }
  }
  if (known !== undefined && total !== known) {
    throw new CodecError(NAME, key, `decoded ${total} bytes, expected ${known}`);
  }
  return out;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}
