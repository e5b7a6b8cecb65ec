/**
 * Native libzstd for Node through the optional dependency `zstd-napi`
 * (Node 20 has no zstd in node:zlib; it arrives in 22.15). 2-4x faster than
 * the WASM build here (README, "Performance"). Set RATZARR_ZSTD=wasm to use
 * the WASM build anyway.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { ZstdBackend } from "../codecs/zstd-backend.js";

interface ZstdNapi {
  compress(data: Uint8Array, parameters?: { compressionLevel?: number; checksumFlag?: boolean; contentSizeFlag?: boolean; nbWorkers?: number }): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

/** The native backend, or a rejected promise when zstd-napi is not installed or did not build. */
export async function nativeZstd(): Promise<ZstdBackend> {
  if (process.env["RATZARR_ZSTD"] === "wasm") throw new Error("RATZARR_ZSTD=wasm");
  const z = createRequire(import.meta.url)("zstd-napi") as ZstdNapi;
  const view = (b: Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  // libzstd's own threads for big chunks: 1.4x on a 4 MB chunk with 2 cores (README, "Performance").
  const threads = Math.max(0, Math.min(availableParallelism(), 8));
  const workersFor = (n: number) => (n >= 1 << 20 && threads > 1 ? threads : 0);
  return {
    name: "native (zstd-napi)",
    writesChecksums: true,
    compress: (data, level, checksum) => view(z.compress(data, { compressionLevel: level, checksumFlag: checksum, contentSizeFlag: true, nbWorkers: workersFor(data.byteLength) })),
    decompress: (frame) => view(z.decompress(frame)),
  };
}
