/**
 * A structural walker for Zstandard streams (RFC 8878, section 3): finds each
 * frame's header fields and end, and bounds its decoded size from the block
 * headers, without decompressing. Lets the zstd codec refuse truncated or
 * oversized input before handing it to the WASM decoder.
 */
import { CodecError } from "../errors.js";
import { hexUint32, readUint32LE, readUintLE } from "./binary.js";

/** RFC 8878 3.1.1: Magic_Number of a Zstandard frame. */
export const ZSTD_MAGIC = 0xfd2fb528;
/** RFC 8878 3.1.2: skippable frames use the 16 magic numbers 0x184D2A50..0x184D2A5F. */
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** RFC 8878 3.1.1.2.4: a block never regenerates more than 128 KiB (or the window, if smaller). */
export const MAX_BLOCK_SIZE = 128 * 1024;

/** What the header and blocks of one Zstandard frame say. */
export interface ZstdFrame {
  /** Byte offset of the frame's magic number. */
  readonly start: number;
  /** Byte offset just past the frame (after its checksum, if any). */
  readonly end: number;
  /** Frame_Content_Size when the header carries it; a value past 2^53 is approximate. */
  readonly contentSize: number | undefined;
  /** Most bytes the frame's blocks can regenerate: raw and RLE blocks exactly, compressed ones at most Block_Maximum_Size. */
  readonly blockBound: number;
  /** Window_Size (for single-segment frames, the content size). */
  readonly windowSize: number;
  readonly dictionaryId: number;
  readonly hasChecksum: boolean;
  readonly blockCount: number;
  /** How many blocks are compressed, the only kind whose regenerated size is not exact. */
  readonly compressedBlocks: number;
}

/** Every frame of a Zstandard stream, in order. */
export interface ZstdStream {
  /** The Zstandard frames; skippable frames are left out. */
  readonly frames: readonly ZstdFrame[];
  readonly skippableFrames: number;
  /** Sum of the frames' content sizes when every frame announces one, else undefined. */
  readonly contentSize: number | undefined;
  /** Upper bound on the decoded size: each frame's content size when announced, else its block bound. */
  readonly maxContentSize: number;
}

/**
 * Walk every frame of `bytes`. A truncated frame, an unknown magic number, a
 * reserved bit or block type is a `CodecError` naming `codec`, `key` and the
 * byte offset.
 */
export function scanZstdFrames(bytes: Uint8Array, codec: string, key: string): ZstdStream {
  const n = bytes.byteLength;
  const fail = (message: string): never => {
    throw new CodecError(codec, key, message);
  };
  const need = (at: number, count: number, what: string): void => {
    if (at + count > n) fail(`truncated: ${what} at byte ${at} needs ${count} bytes, only ${Math.max(0, n - at)} left of ${n}`);
  };
  if (n === 0) fail("empty input is not a zstd frame");

  const frames: ZstdFrame[] = [];
  let skippableFrames = 0;
  let pos = 0;
  while (pos < n) {
    need(pos, 4, "frame magic number");
    const magic = readUint32LE(bytes, pos);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      need(pos + 4, 4, "skippable frame size");
      const size = readUint32LE(bytes, pos + 4);
      need(pos + 8, size, "skippable frame");
      pos += 8 + size;
      skippableFrames++;
      continue;
    }
    if (magic !== ZSTD_MAGIC) {
      fail(`no zstd frame at byte ${pos}: magic number ${hexUint32(magic)}, expected ${hexUint32(ZSTD_MAGIC)}`);
    }
    frames.push(scanFrame(bytes, pos, need, fail));
    pos = frames[frames.length - 1]!.end;
  }

  let contentSize: number | undefined = 0;
  let maxContentSize = 0;
  for (const f of frames) {
    contentSize = contentSize === undefined || f.contentSize === undefined ? undefined : contentSize + f.contentSize;
    maxContentSize += f.contentSize ?? f.blockBound;
  }
  return { frames, skippableFrames, contentSize, maxContentSize };
}

/** RFC 8878 3.1.1.1.1: Frame_Content_Size field width by FCS_Flag (flag 0 is 1 byte only in single-segment frames). */
const FCS_SIZES = [0, 2, 4, 8] as const;
/** RFC 8878 3.1.1.1.1: Dictionary_ID field width by Dictionary_ID_Flag. */
const DID_SIZES = [0, 1, 2, 4] as const;

function scanFrame(
  b: Uint8Array,
  start: number,
  need: (at: number, count: number, what: string) => void,
  fail: (message: string) => never,
): ZstdFrame {
  let p = start + 4;
  need(p, 1, "frame header descriptor");
  const descriptor = b[p]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const hasChecksum = ((descriptor >> 2) & 1) === 1;
  if (descriptor & 0x08) fail(`frame at byte ${start}: reserved bit set in frame header descriptor 0x${descriptor.toString(16)}`);
  const didSize = DID_SIZES[descriptor & 3]!;
  const fcsSize = fcsFlag === 0 ? singleSegment : FCS_SIZES[fcsFlag]!;
  const headerSize = 1 + (singleSegment ? 0 : 1) + didSize + fcsSize;
  need(p, headerSize, "frame header");
  p++;

  let windowSize = 0;
  if (!singleSegment) {
    // RFC 8878 3.1.1.1.2: windowLog = 10 + Exponent; Window_Size = base + base/8 * Mantissa.
    const wd = b[p++]!;
    const base = 2 ** (10 + (wd >> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  const dictionaryId = readUintLE(b, p, didSize);
  p += didSize;
  let contentSize: number | undefined;
  if (fcsSize > 0) {
    const v = readUintLE(b, p, fcsSize);
    // RFC 8878 3.1.1.1.4: the 2-byte form stores size - 256.
    contentSize = fcsSize === 2 ? v + 256 : v;
    p += fcsSize;
  }
  if (singleSegment) windowSize = contentSize!;

  // RFC 8878 3.1.1.2: 3-byte little-endian block headers (Last_Block, Block_Type, Block_Size).
  const blockMax = Math.min(windowSize, MAX_BLOCK_SIZE);
  let blockBound = 0;
  let blockCount = 0;
  let compressedBlocks = 0;
  for (;;) {
    need(p, 3, `header of block ${blockCount} of the frame at byte ${start}`);
    const h = readUintLE(b, p, 3);
    p += 3;
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    let stored = 0;
    if (type === 0) {
      stored = size; // Raw_Block: the bytes themselves
      blockBound += size;
    } else if (type === 1) {
      stored = 1; // RLE_Block: one byte, repeated Block_Size times
      blockBound += size;
    } else if (type === 2) {
      stored = size; // Compressed_Block: regenerates at most Block_Maximum_Size
      blockBound += blockMax;
      compressedBlocks++;
    } else {
      fail(`frame at byte ${start}: block ${blockCount} at byte ${p - 3} has the reserved block type 3`);
    }
    need(p, stored, `block ${blockCount} of the frame at byte ${start}`);
    p += stored;
    blockCount++;
    if (last) break;
  }
  if (hasChecksum) {
    need(p, 4, `content checksum of the frame at byte ${start}`);
    p += 4;
  }
  return { start, end: p, contentSize, blockBound, windowSize, dictionaryId, hasChecksum, blockCount, compressedBlocks };
}
