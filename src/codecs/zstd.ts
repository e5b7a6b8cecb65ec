/**
 * The `zstd` bytes→bytes codec (spec: codecs/zstd v1.0), on the libzstd of
 * zstd-backend.ts (WASM everywhere, native on Node), loaded on first use. Input is walked frame by frame
 * first (zstd-frame.ts), so truncated data and frames claiming more than the
 * chunk may hold are refused before any decoder allocates for them.
 */
import type { BytesToBytesCodec, JsonObject, Schedule } from "./codec.js";
import { CodecError, MetadataError, showValue } from "../errors.js";
import { MAX_BLOCK_SIZE, scanZstdFrames, type ZstdFrame } from "./zstd-frame.js";
import type { ScratchLease } from "./scratch.js";

const NAME = "zstd";
/** libzstd's ZSTD_CLEVEL_DEFAULT, which zarr-python's level 0 means. */
const DEFAULT_LEVEL = 3;
/** ZSTD_maxCLevel(); numcodecs clamps to it too. */
const MAX_LEVEL = 22;
/** ZSTD_minCLevel(): -ZSTD_TARGETLENGTH_MAX. A level past it (or past int32, which the native binding wraps) is clamped. */
const MIN_LEVEL = -(1 << 17);

import type { ZstdBackend } from "./zstd-backend.js";
import { type CodecEnv, standardCodecs } from "./registry.js";

/**
 * Make a `zstd` codec; `{"level": integer, "checksum": boolean}` (absent:
 * level 0, no checksum). Level 0 means libzstd's default, 3. Frames are
 * written with their content size, and with a checksum when asked and the
 * backend can (the native one can, the WASM one cannot; readers do not require
 * it). Reading accepts frames with or
 * without content size or checksum, concatenated frames and skippable frames.
 */
export function createZstdCodec(configuration: JsonObject, file: string, env: Pick<CodecEnv, "zstd"> = standardCodecs()): BytesToBytesCodec {
  const level = configuration["level"] ?? 0;
  const checksum = configuration["checksum"] ?? false;
  if (typeof level !== "number" || !Number.isInteger(level)) {
    throw new MetadataError(file, "codecs", `zstd codec: "level" must be an integer, got ${showValue(level)}`);
  }
  if (typeof checksum !== "boolean") {
    throw new MetadataError(file, "codecs", `zstd codec: "checksum" must be true or false, got ${showValue(checksum)}`);
  }
  // zarr-python's level 0 is libzstd's default, 3 (numcodecs would raise 0 to 1).
  // Negative (fast) levels reach the native backend; the WASM one compresses them at level 1.
  const effectiveLevel = level === 0 ? DEFAULT_LEVEL : Math.max(MIN_LEVEL, Math.min(level, MAX_LEVEL));

  return {
    kind: "bytes_to_bytes",
    name: NAME,
    encodedSize: () => undefined,
    decodesPrefix: true,

    async encode(bytes, ctx) {
      // Taken first: with a detachable schedule the input may be transferred away (and read as empty) by the call.
      const size = bytes.byteLength;
      const out = await (await env.zstd()).compress(bytes, { level: effectiveLevel, checksum, schedule: ctx.schedule, lease: ctx.scratch });
      // FORMAT.md: written frames must carry their content size (older readers need it).
      const stream = scanZstdFrames(out, NAME, ctx.key);
      if (stream.contentSize !== size) {
        throw new CodecError(NAME, ctx.key, `the zstd encoder wrote frames announcing ${stream.contentSize ?? "no"} content size for ${size} bytes`);
      }
      return out;
    },

    async decode(bytes, ctx) {
      const { key, decodedSize, maxDecodedSize: max } = ctx;
      const stream = scanZstdFrames(bytes, NAME, key);
      const frames = stream.frames;
      for (const f of frames) {
        if (f.dictionaryId !== 0) throw new CodecError(NAME, key, `frame at byte ${f.start} needs dictionary ${f.dictionaryId}; dictionaries are not supported`);
        if (f.contentSize !== undefined && f.contentSize > f.blockBound) {
          throw new CodecError(NAME, key, `frame at byte ${f.start} announces ${f.contentSize} bytes but its ${f.blockCount} blocks hold at most ${f.blockBound} (corrupt frame)`);
        }
      }
      if (stream.contentSize !== undefined) {
        if (decodedSize !== undefined && stream.contentSize !== decodedSize) {
          throw new CodecError(NAME, key, `frames announce ${stream.contentSize} decoded bytes, expected ${decodedSize}`);
        }
        if (stream.contentSize > max) {
          throw new CodecError(NAME, key, `frames announce ${stream.contentSize} decoded bytes, more than the limit of ${max}`);
        }
      } else if (lowBound(frames) > max) {
        throw new CodecError(NAME, key, `frames without a content size can decode to up to ${stream.maxContentSize} bytes, more than the limit of ${max}`);
      }
      const backend = await env.zstd();
      // Only the first `needed` bytes are wanted (an edge chunk's rows inside the array).
      const needed = ctx.neededBytes !== undefined && decodedSize !== undefined && ctx.neededBytes < decodedSize ? ctx.neededBytes : undefined;
      // One frame of known size without a checksum (which covers all of it): decoded that far only.
      const single = frames.length === 1 && stream.skippableFrames === 0 ? frames[0]! : undefined;
      const early = needed !== undefined && single?.contentSize !== undefined && !single.hasChecksum && backend.stopsEarly === true;
      let out: Uint8Array;
      if (single !== undefined) {
        out = await decodeFrame(backend, bytes, single, key, 0, max, ctx.schedule, early ? needed : undefined, ctx.scratch);
      } else {
        // Frame by frame, so the running size is checked before each frame grows the output.
        const pieces: Uint8Array[] = [];
        let total = 0;
        for (const f of frames) {
          ctx.signal?.throwIfAborted();
          const piece = await decodeFrame(backend, bytes.subarray(f.start, f.end), f, key, total, max);
          pieces.push(piece);
          total += piece.length;
        }
        out = pieces.length === 1 ? pieces[0]! : concat(pieces, total);
      }
      const expected = early ? needed : decodedSize;
      if (expected !== undefined && out.length !== expected) {
        throw new CodecError(NAME, key, `decoded ${out.length} bytes, expected ${expected}`);
      }
      // The contract of `decodesPrefix`: the first `needed` bytes only, however they were decoded.
      if (needed !== undefined && out.length > needed) out = out.slice(0, needed);
      return out;
    },
  };
}

/**
 * A size well-formed frames reach for sure, for refusing early: the announced
 * size, else the block bound less one partial compressed block (streaming
 * encoders end a frame with a short block; raw and RLE blocks are exact).
 */
function plausibleSize(f: ZstdFrame): number {
  if (f.contentSize !== undefined) return f.contentSize;
  return f.compressedBlocks === 0 ? f.blockBound : f.blockBound - Math.min(f.windowSize, MAX_BLOCK_SIZE);
}

function lowBound(frames: readonly ZstdFrame[]): number {
  let sum = 0;
  for (const f of frames) sum += plausibleSize(f);
  return sum;
}

/** Decode one frame (`data` is the frame, or the whole single-frame input), checking its size against what it announced and the limit. */
async function decodeFrame(backend: ZstdBackend, data: Uint8Array, f: ZstdFrame, key: string, before: number, max: number, schedule?: Schedule, needed?: number, into?: ScratchLease): Promise<Uint8Array> {
  if (f.contentSize === undefined && before + plausibleSize(f) > max) {
    throw new CodecError(NAME, key, `frame at byte ${f.start} without a content size can decode to up to ${f.blockBound} bytes after ${before}, more than the limit of ${max}`);
  }
  let out: Uint8Array;
  try {
    out = await backend.decompress(data, { size: f.contentSize, needed, schedule, into });
  } catch (e) {
    // numcodecs reports libzstd errors as "std::runtime_error,zstd codec error: <ZSTD_getErrorName>".
    const reason = (e instanceof Error ? e.message : showValue(e)).replace(/^std::runtime_error,\s*/, "");
    throw new CodecError(NAME, key, `corrupt frame at byte ${f.start} (${f.end - f.start} bytes): ${reason}`, { cause: e });
  }
  // Check the length: some zstd decoders return partial data for damaged frames without complaint.
  if (needed !== undefined ? out.length !== needed : f.contentSize !== undefined ? out.length !== f.contentSize : out.length > f.blockBound) {
    throw new CodecError(NAME, key, `frame at byte ${f.start} decoded to ${out.length} bytes, but announces ${f.contentSize ?? `at most ${f.blockBound}`}${needed !== undefined ? ` (its first ${needed} asked for)` : ""}`);
  }
  if (before + out.length > max) {
    throw new CodecError(NAME, key, `decoded ${before + out.length} bytes, more than the limit of ${max}`);
  }
  return out;
}

function concat(pieces: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let p = 0;
  for (const piece of pieces) {
    out.set(piece, p);
    p += piece.length;
  }
  return out;
}
