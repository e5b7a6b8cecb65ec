/**
 * The libzstd the `zstd` codec calls, as an interface: the WASM build in npm
 * `numcodecs` runs everywhere (browsers, Deno, Bun, workers); the Node
 * runtime's codec registry uses a native one (README, "Dependencies"). Every
 * backend must write frames that carry their content size and read any valid frame.
 */

import type { Schedule } from "./codec.js";
import type { ScratchLease } from "./scratch.js";

/** How to compress one chunk: the libzstd level (already mapped: 0 means 3), whether to write a checksum, and the schedule. */
export interface CompressOptions {
  readonly level: number;
  readonly checksum: boolean;
  readonly schedule?: Schedule | undefined;
  /**
   * The lease holding `data` when it is scratch bytes nobody reads after this call
   * (`CodecContext.scratch`): a backend that copies `data` for another thread may release the
   * lease as soon as it has copied it, so that the next chunk reuses the buffer at once; one
   * whose thread can read shared memory lets it read a shared buffer in place (`ScratchLease.share`).
   */
  readonly lease?: ScratchLease | undefined;
}

/** How to decompress one frame: its exact decoded size when the frame announces it, and the schedule. */
export interface DecompressOptions {
  readonly size: number | undefined;
  /**
   * With `size`: only the first `needed` bytes are wanted. A backend that `stopsEarly` stops
   * there and returns just those; any other decodes and returns everything.
   */
  readonly needed?: number | undefined;
  readonly schedule?: Schedule | undefined;
  /**
   * Where the output may go when it is only read once by the next codec (`CodecContext.scratch`):
   * a backend that decompresses on this thread may write it into a buffer lent from here.
   */
  readonly into?: ScratchLease | undefined;
}

/** One libzstd. `decompress` gets one whole frame. */
export interface ZstdBackend {
  readonly name: string;
  /** True when `checksum` is honoured (the WASM build cannot write checksums). */
  readonly writesChecksums: boolean;
  /** True when `decompress` honours `needed` (stops early, returns that many bytes). */
  readonly stopsEarly?: boolean | undefined;
  compress(data: Uint8Array, options: CompressOptions): Uint8Array | Promise<Uint8Array>;
  decompress(frame: Uint8Array, options: DecompressOptions): Uint8Array | Promise<Uint8Array>;
}

interface WasmCodec {
  encode(data: Uint8Array): Promise<Uint8Array>;
  decode(data: Uint8Array): Promise<Uint8Array>;
}

/** The WASM libzstd of npm `numcodecs` (runs everywhere), loaded when called. */
export async function wasmZstd(): Promise<ZstdBackend> {
  const { default: Zstd } = await import("numcodecs/zstd");
  const byLevel = new Map<number, WasmCodec>();
  const at = (level: number): WasmCodec => {
    let c = byLevel.get(level);
    if (c === undefined) byLevel.set(level, (c = Zstd.fromConfig({ id: "zstd", level }) as WasmCodec));
    return c;
  };
  return {
    name: "wasm (numcodecs)",
    writesChecksums: false,
    // numcodecs raises every level <= 0 to 1; callers pass the real level (0 already mapped to 3).
    compress: (data, { level }) => at(Math.max(level, 1)).encode(data),
    decompress: (frame) => at(1).decode(frame),
  };
}
