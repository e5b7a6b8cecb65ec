/**
 * What `ratzarr inspect` shows of one codec step's input: the header fields
 * of a zstd, gzip or blosc stream, a crc32c's stored and computed checksum,
 * the element count and first lengths of vlen-utf8 bytes. Read from the bytes
 * alone, never trusted for allocation; a field that is not there is left out
 * (the codec's own decode says what is wrong).
 */
import { Gunzip } from "fflate";
import { crc32c } from "../codecs/crc32c.js";
import { hexUint32, readUint32LE } from "../codecs/binary.js";
import { scanZstdFrames } from "../codecs/zstd-frame.js";

/** Header fields of one step, as `--json` prints them (numbers, strings, booleans, lists of objects). */
export type HeaderFields = { [field: string]: string | number | boolean | null | readonly HeaderFields[] | readonly number[] };

/** How many vlen-utf8 lengths to show. */
const FIRST_LENGTHS = 10;
/** c-blosc 1.x: compressor code in flag bits 5-7 (README_CHUNK_FORMAT). */
const BLOSC_COMPRESSORS = ["blosclz", "lz4", "snappy", "zlib", "zstd"] as const;

/** The header fields of `bytes`, the input of the bytes→bytes codec `codec` (undefined for a codec without a known header). */
export function bytesHeader(codec: string, bytes: Uint8Array, key: string): HeaderFields | undefined {
  if (codec === "zstd") return zstdHeader(bytes, key);
  if (codec === "gzip") return gzipHeader(bytes);
  if (codec === "blosc") return bloscHeader(bytes);
  if (codec === "crc32c") return crc32cHeader(bytes);
  return undefined;
}

function zstdHeader(bytes: Uint8Array, key: string): HeaderFields {
  const s = scanZstdFrames(bytes, "zstd", key);
  return {
    frames: s.frames.length,
    skippableFrames: s.skippableFrames,
    contentSize: s.contentSize ?? null,
    frameList: s.frames.map((f) => ({
      offset: f.start,
      size: f.end - f.start,
      contentSize: f.contentSize ?? null,
      checksum: f.hasChecksum,
      window: f.windowSize,
      blocks: f.blockCount,
      dictionaryId: f.dictionaryId,
    })),
  };
}

/**
 * RFC 1952: each member ends with CRC32 and ISIZE. Members are found by inflating with a
 * streaming decoder that keeps nothing (the caller has already decoded the chunk with the
 * codec, so its size is bounded).
 */
function gzipHeader(bytes: Uint8Array): HeaderFields {
  const n = bytes.byteLength;
  if (n < 10 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return { members: 0 };
  const starts = [0];
  const g = new Gunzip();
  g.ondata = () => undefined;
  g.onmember = (offset) => void starts.push(offset);
  try {
    g.push(bytes, true);
  } catch {
    // Damaged: the members found so far are shown; the codec's decode reports the damage.
  }
  const ends = [...starts.slice(1), n];
  const members = starts.map((start, i) => {
    const end = ends[i]!;
    const trailer = end - start >= 18;
    return {
      offset: start,
      size: end - start,
      mtime: readUint32LE(bytes, start + 4),
      os: bytes[start + 9] ?? null,
      crc: trailer ? hexUint32(readUint32LE(bytes, end - 8)) : null,
      isize: trailer ? readUint32LE(bytes, end - 4) : null,
    };
  });
  const last = members[members.length - 1]!;
  return { members: members.length, isize: last.isize, crc: last.crc, memberList: members };
}

/** c-blosc 1.x header: version, versionlz, flags, typesize, nbytes, blocksize, cbytes. */
function bloscHeader(bytes: Uint8Array): HeaderFields {
  if (bytes.byteLength < 16) return { truncated: true };
  const flags = bytes[2]!;
  return {
    version: bytes[0]!,
    versionlz: bytes[1]!,
    flags: `0x${flags.toString(16).padStart(2, "0")}`,
    shuffle: flags & 0x04 ? "bitshuffle" : flags & 0x01 ? "shuffle" : "noshuffle",
    memcpyed: (flags & 0x02) !== 0,
    compressor: BLOSC_COMPRESSORS[flags >> 5] ?? `code ${flags >> 5}`,
    typesize: bytes[3]!,
    nbytes: readUint32LE(bytes, 4),
    blocksize: readUint32LE(bytes, 8),
    cbytes: readUint32LE(bytes, 12),
  };
}

function crc32cHeader(bytes: Uint8Array): HeaderFields {
  const n = bytes.byteLength - 4;
  if (n < 0) return { truncated: true };
  const stored = readUint32LE(bytes, n);
  const computed = crc32c(bytes.subarray(0, n));
  return { stored: hexUint32(stored), computed: hexUint32(computed), match: stored === computed };
}

/** vlen-utf8 bytes: the element count, then the first lengths (as far as the bytes hold them). */
export function vlenHeader(bytes: Uint8Array): HeaderFields {
  const n = bytes.byteLength;
  if (n < 4) return { truncated: true };
  const count = readUint32LE(bytes, 0);
  const lengths: number[] = [];
  for (let p = 4; lengths.length < Math.min(count, FIRST_LENGTHS) && p + 4 <= n; ) {
    const len = readUint32LE(bytes, p);
    lengths.push(len);
    p += 4 + len;
  }
  return { count, firstLengths: lengths };
}
