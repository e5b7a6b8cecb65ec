/**
 * Codec registries, as values: a `CodecRegistry` maps the codec `name` of
 * `zarr.json` to a factory, and carries the libzstd the `zstd` codec uses.
 * The built-in codecs load lazily (zstd, blosc, gzip and sharding are
 * imported only when an array first needs them). Each runtime has its own
 * registry (`webRuntime.codecs`, `nodeRuntime().codecs`); add codecs to a
 * registry of yours with `register`, and hand it to a handle through its
 * options. Nothing here is shared state.
 */
import type { Codec, CodecKind, JsonObject } from "./codec.js";
import { MetadataError } from "../errors.js";
import { wasmZstd, type ZstdBackend } from "./zstd-backend.js";
import { ScratchPool, type ScratchOptions } from "./scratch.js";

/** What a codec factory may use besides its configuration: the registry it is made from (for inner codecs) and its libzstd. */
export interface CodecEnv {
  readonly registry: CodecRegistry;
  /** The libzstd of this registry, loaded on first use. */
  zstd(): Promise<ZstdBackend>;
}

/** How to make a codec from its `configuration`; `file` is the `zarr.json` key, for errors. */
export interface CodecFactory {
  readonly kind: CodecKind;
  create(configuration: JsonObject, file: string, env: CodecEnv): Codec | Promise<Codec>;
}

const BUILT_IN: ReadonlyArray<readonly [string, CodecFactory]> = [
  ["bytes", { kind: "array_to_bytes", create: async (c, f) => (await import("./bytes.js")).createBytesCodec(c, f) }],
  ["vlen-utf8", { kind: "array_to_bytes", create: async (c, f) => (await import("./vlen-utf8.js")).createVlenUtf8Codec(c, f) }],
  ["sharding_indexed", { kind: "array_to_bytes", create: async (c, f, env) => (await import("./sharding.js")).createShardingCodec(c, f, env) }],
  ["transpose", { kind: "array_to_array", create: async (c, f) => (await import("./transpose.js")).createTransposeCodec(c, f) }],
  ["crc32c", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./crc32c.js")).createCrc32cCodec(c, f) }],
  ["gzip", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./gzip.js")).createGzipCodec(c, f) }],
  ["zstd", { kind: "bytes_to_bytes", create: async (c, f, env) => (await import("./zstd.js")).createZstdCodec(c, f, env) }],
  ["blosc", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./blosc.js")).createBloscCodec(c, f) }],
];

/** The kinds of the built-in codecs, for checks that need no registry (the order of a codec list). */
export const BUILT_IN_KINDS: ReadonlyMap<string, CodecKind> = new Map(BUILT_IN.map(([name, f]) => [name, f.kind]));

/** A set of codecs by name, the libzstd its `zstd` codec uses, and the scratch buffers its pipelines share. */
export class CodecRegistry implements CodecEnv {
  private readonly factories: Map<string, CodecFactory>;
  private zstdLoaded: Promise<ZstdBackend> | undefined;
  /** Buffers reused for bytes that only pass between two codecs of a chunk (scratch.ts). */
  readonly scratch: ScratchPool;

  /**
   * The built-in codecs, with `zstd` as the libzstd loader (default: the WASM build of npm
   * `numcodecs`); a loader that fails falls back to the WASM build. `scratch`: how many
   * scratch buffers to keep, and the timer that drops them when idle.
   */
  constructor(private readonly zstdLoader: () => Promise<ZstdBackend> = wasmZstd, scratch?: ScratchOptions) {
    this.factories = new Map(BUILT_IN);
    this.scratch = new ScratchPool(scratch);
  }

  get registry(): CodecRegistry {
    return this;
  }

  /** The libzstd of this registry, loaded once; a failed load falls back to WASM (its `name` says which). */
  zstd(): Promise<ZstdBackend> {
    this.zstdLoaded ??= this.zstdLoader().catch(() => wasmZstd());
    return this.zstdLoaded;
  }

  /** Add or replace a codec under `name` in this registry. A factory may return a promise, so its module can load lazily. */
  register(name: string, factory: CodecFactory): this {
    this.factories.set(name, factory);
    return this;
  }

  /** The kind of a codec, or undefined when `name` is unknown here. */
  kind(name: string): CodecKind | undefined {
    return this.factories.get(name)?.kind;
  }

  /** Names of every codec here, sorted. */
  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** Make the codec `name` from its configuration; an unknown name is a `MetadataError` naming `file`. */
  async create(name: string, configuration: JsonObject, file: string): Promise<Codec> {
    const factory = this.factories.get(name);
    if (factory === undefined) {
      throw new MetadataError(file, "codecs", `unknown codec "${name}" (known: ${this.names().join(", ")})`);
    }
    const codec = await factory.create(configuration, file, this);
    if (codec.kind !== factory.kind) {
      throw new MetadataError(file, "codecs", `codec "${name}" was registered as ${factory.kind} but made a ${codec.kind} codec`);
    }
    return codec;
  }
}

let standard: CodecRegistry | undefined;

/** The registry of the core: built-in codecs and WASM zstd. Made on first use; every caller that passes none shares it. */
export function standardCodecs(): CodecRegistry {
  return (standard ??= new CodecRegistry());
}
