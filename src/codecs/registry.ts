/**
 * The codec registry, keyed by the codec's `name` in `zarr.json`. Users can
 * add codecs with `registerCodec`; built-in heavy codecs (zstd, blosc, gzip,
 * sharding) are imported only when an array first needs them.
 */
import type { Codec, CodecKind, JsonObject } from "./codec.js";
import { MetadataError } from "../errors.js";

/** How to make a codec from its `configuration`; `file` is the `zarr.json` key, for errors. */
export interface CodecFactory {
  readonly kind: CodecKind;
  create(configuration: JsonObject, file: string): Codec | Promise<Codec>;
}

const registry = new Map<string, CodecFactory>();

/** Add or replace a codec under `name`. A factory may return a promise, so its module can be loaded lazily. */
export function registerCodec(name: string, factory: CodecFactory): void {
  registry.set(name, factory);
}

/** The kind of a registered codec, or undefined when `name` is unknown. */
export function codecKind(name: string): CodecKind | undefined {
  return registry.get(name)?.kind;
}

/** Names of every registered codec. */
export function codecNames(): string[] {
  return [...registry.keys()].sort();
}

/** Make the codec `name` from its configuration; an unknown name is a `MetadataError` naming `file`. */
export async function createCodec(name: string, configuration: JsonObject, file: string): Promise<Codec> {
  const factory = registry.get(name);
  if (factory === undefined) {
    throw new MetadataError(file, "codecs", `unknown codec "${name}" (known: ${codecNames().join(", ")})`);
  }
  const codec = await factory.create(configuration, file);
  if (codec.kind !== factory.kind) {
    throw new MetadataError(file, "codecs", `codec "${name}" was registered as ${factory.kind} but made a ${codec.kind} codec`);
  }
  return codec;
}

registerCodec("bytes", { kind: "array_to_bytes", create: async (c, f) => (await import("./bytes.js")).createBytesCodec(c, f) });
registerCodec("vlen-utf8", { kind: "array_to_bytes", create: async (c, f) => (await import("./vlen-utf8.js")).createVlenUtf8Codec(c, f) });
registerCodec("sharding_indexed", { kind: "array_to_bytes", create: async (c, f) => (await import("./sharding.js")).createShardingCodec(c, f) });
registerCodec("transpose", { kind: "array_to_array", create: async (c, f) => (await import("./transpose.js")).createTransposeCodec(c, f) });
registerCodec("crc32c", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./crc32c.js")).createCrc32cCodec(c, f) });
registerCodec("gzip", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./gzip.js")).createGzipCodec(c, f) });
registerCodec("zstd", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./zstd.js")).createZstdCodec(c, f) });
registerCodec("blosc", { kind: "bytes_to_bytes", create: async (c, f) => (await import("./blosc.js")).createBloscCodec(c, f) });
