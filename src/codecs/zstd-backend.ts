/**
 * Which libzstd the `zstd` codec calls. Everywhere: the WASM build in npm
 * `numcodecs` (browsers, Deno, Bun, workers). On Node the package's Node
 * entry installs a native one (README, "Dependencies"); every backend must
 * write frames that carry their content size and read any valid frame.
 */

/**
 * One libzstd. `decompress` gets one whole frame and its exact decoded size when the frame
 * announces it. `offload`: nobody waits on this chunk alone, so it may go to another thread;
 * `detachable`: `data`'s buffer may be transferred there rather than copied.
 */
export interface ZstdBackend {
  readonly name: string;
  /** True when `checksum` is honoured (the WASM build cannot write checksums). */
  readonly writesChecksums: boolean;
  compress(data: Uint8Array, level: number, checksum: boolean, offload?: boolean, detachable?: boolean): Uint8Array | Promise<Uint8Array>;
  decompress(frame: Uint8Array, size: number | undefined, offload?: boolean): Uint8Array | Promise<Uint8Array>;
}

interface WasmCodec {
  encode(data: Uint8Array): Promise<Uint8Array>;
  decode(data: Uint8Array): Promise<Uint8Array>;
}

/** The WASM libzstd of npm `numcodecs`, loaded on first use. */
async function wasmBackend(): Promise<ZstdBackend> {
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
    compress: (data, level) => at(Math.max(level, 1)).encode(data),
    decompress: (frame) => at(1).decode(frame),
  };
}

let loader: () => Promise<ZstdBackend> = wasmBackend;
let loaded: Promise<ZstdBackend> | undefined;

/** Use another libzstd from now on (the Node entry installs a native one). `loader` runs on first use. */
export function setZstdBackend(load: () => Promise<ZstdBackend>): void {
  loader = load;
  loaded = undefined;
}

/** The backend in use; a failed load falls back to the WASM one (and says which in `name`). */
export function zstdBackend(): Promise<ZstdBackend> {
  loaded ??= loader().catch(async () => wasmBackend());
  return loaded;
}
