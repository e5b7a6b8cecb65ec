/**
 * libzstd as built into Node's `node:zlib` (Node 22.15+ and 23.8+; not Node
 * 20): no install step, no native addon. Frames always carry their content
 * size (`pledgedSrcSize` and `ZSTD_c_contentSizeFlag`), a checksum when asked;
 * a frame that announces its size is decoded into exactly that many bytes
 * (`maxOutputLength`), so one that holds more is refused instead of grown.
 * Chunks of 256 KiB and more that nobody waits on alone (`offload`) go to
 * Node's asynchronous zlib calls, which run on the libuv threadpool, while a
 * few are in flight; the rest are done in place (README, "Dependencies").
 *
 * `@types/node` here is Node 20's, which has no zstd: the few calls used are
 * typed below and looked up on the module at load time.
 */
import * as zlib from "node:zlib";
import { availableParallelism } from "node:os";
import type { ZstdBackend } from "../codecs/zstd-backend.js";
import { QUEUE_DEPTH, WORKER_THRESHOLD } from "./zstd-native.js";

/** How the node:zlib backend uses the libuv threadpool. */
export interface ZlibZstdOptions {
  /** Offloaded chunks in flight on the threadpool are at most `workers * queueDepth` (0: none, every chunk in place). Default: one per core less the main thread's, 1 to 4. */
  readonly workers?: number | undefined;
  /** With `workers`, how many offloaded chunks may be in flight per worker. Default 2. */
  readonly queueDepth?: number | undefined;
}

interface ZstdCallOptions {
  params?: Record<number, number>;
  pledgedSrcSize?: number;
  maxOutputLength?: number;
  chunkSize?: number;
}

type Callback = (error: Error | null, result: Uint8Array) => void;

/** The zstd part of node:zlib (Node 22.15+), missing from Node 20's type definitions. */
interface ZlibWithZstd {
  zstdCompressSync(data: Uint8Array, options: ZstdCallOptions): Uint8Array;
  zstdDecompressSync(data: Uint8Array, options: ZstdCallOptions): Uint8Array;
  zstdCompress(data: Uint8Array, options: ZstdCallOptions, callback: Callback): void;
  zstdDecompress(data: Uint8Array, options: ZstdCallOptions, callback: Callback): void;
  constants: { ZSTD_c_compressionLevel: number; ZSTD_c_checksumFlag: number; ZSTD_c_contentSizeFlag: number };
}

/** node:zlib's zstd functions, or undefined on a Node without them (Node 20, Node 22 before 22.15). */
function zlibWithZstd(): ZlibWithZstd | undefined {
  const z = zlib as unknown as Partial<ZlibWithZstd>;
  const ok = typeof z.zstdCompressSync === "function" && typeof z.zstdDecompressSync === "function" && typeof z.zstdCompress === "function" && typeof z.zstdDecompress === "function";
  return ok && typeof z.constants?.ZSTD_c_contentSizeFlag === "number" ? (z as ZlibWithZstd) : undefined;
}

/** True when this Node has zstd in node:zlib. */
export function hasZlibZstd(): boolean {
  return zlibWithZstd() !== undefined;
}

/** Node's smallest zlib `chunkSize`. */
const MIN_CHUNK = 64;

/** Room for one whole frame, so node:zlib writes it into one buffer instead of joining 128 KiB pieces (libzstd's ZSTD_compressBound, rounded up). */
function frameBound(n: number): number {
  return Math.max(MIN_CHUNK, n + (n >>> 8) + (n < 131072 ? (131072 - n) >>> 11 : 0) + 64);
}

/** A buffer of its own: node:zlib may hand back a view of a larger buffer, which a cache would keep alive whole. */
function owned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
}

function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 4));
}

/** Thrown when a frame decodes to more than the size it announces (node:zlib's `maxOutputLength` stopped it). */
function tooLarge(e: unknown, size: number | undefined): unknown {
  if (size !== undefined && (e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
    return new Error(`the frame decodes to more than the ${size} bytes it announces`, { cause: e });
  }
  return e;
}

/** The node:zlib backend, or a rejected promise on a Node without zstd in node:zlib. */
export async function zlibZstd(options: ZlibZstdOptions = {}): Promise<ZstdBackend> {
  const z = zlibWithZstd();
  if (z === undefined) throw new Error(`node:zlib has no zstd on Node ${process.versions.node} (it arrives in 22.15 and 23.8)`);
  const C = z.constants;
  const limit = (options.workers ?? defaultWorkers()) * (options.queueDepth ?? QUEUE_DEPTH);
  let inFlight = 0;

  const compressOptions = (data: Uint8Array, level: number, checksum: boolean): ZstdCallOptions => ({
    pledgedSrcSize: data.byteLength,
    chunkSize: frameBound(data.byteLength),
    params: { [C.ZSTD_c_compressionLevel]: level, [C.ZSTD_c_checksumFlag]: checksum ? 1 : 0, [C.ZSTD_c_contentSizeFlag]: 1 },
  });
  // maxOutputLength must be at least 1; an empty frame then decodes to 0 bytes all the same.
  const decompressOptions = (size: number | undefined): ZstdCallOptions => (size === undefined ? {} : { maxOutputLength: Math.max(size, 1), chunkSize: Math.max(size, MIN_CHUNK) });
  const checked = (out: Uint8Array, size: number | undefined): Uint8Array => {
    if (size !== undefined && out.byteLength !== size) throw new Error(`decoded ${out.byteLength} bytes, the frame announces ${size}`);
    return owned(out);
  };
  // On the threadpool while fewer than `limit` are there; past that the caller does the next one itself, as with the native backend's workers.
  const onPool = (n: number | undefined, offload: boolean | undefined): boolean => offload === true && n !== undefined && n >= WORKER_THRESHOLD && inFlight < limit;
  const pooled = (call: (cb: Callback) => void, size: number | undefined): Promise<Uint8Array> => {
    inFlight++;
    return new Promise<Uint8Array>((resolve, reject) => {
      call((error, result) => {
        inFlight--;
        if (error !== null) reject(tooLarge(error, size));
        else {
          try {
            resolve(checked(result, size));
          } catch (e) {
            reject(e);
          }
        }
      });
    });
  };

  return {
    name: limit > 0 ? "node:zlib" : "node:zlib (no threadpool)",
    writesChecksums: true,
    compress(data, { level, checksum, schedule, lease }) {
      const o = compressOptions(data, level, checksum);
      // The async call reads the input later: a copy of it, as the caller may reuse its array
      // (a lent scratch input then goes back to its pool at once, as in zstd-native.ts).
      if (onPool(data.byteLength, schedule?.offload)) {
        const input = schedule?.detachable === true ? data : data.slice();
        if (input !== data) lease?.release();
        return pooled((cb) => z.zstdCompress(input, o, cb), undefined);
      }
      return owned(z.zstdCompressSync(data, o));
    },
    decompress(frame, { size, schedule }) {
      const o = decompressOptions(size);
      if (onPool(size, schedule?.offload)) return pooled((cb) => z.zstdDecompress(frame.slice(), o, cb), size);
      try {
        return checked(z.zstdDecompressSync(frame, o), size);
      } catch (e) {
        throw tooLarge(e, size);
      }
    },
  };
}
