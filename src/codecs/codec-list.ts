/**
 * A codec list as `zarr.json` holds it (spec: "Codecs"): the `codecs` of an
 * array, or the `codecs` and `index_codecs` inside a sharding configuration.
 * Parsed from JSON here, and checked for the spec's order: array→array
 * codecs, exactly one array→bytes codec, then bytes→bytes codecs.
 */
import { type CodecKind, type CodecMetadata, isJsonObject, type JsonObject, type JsonValue } from "./codec.js";
import { MetadataError } from "../errors.js";

/**
 * The codec list in `value`, field `field` of a configuration: each entry is
 * `{"name", "configuration"}` or a bare name (the spec's short form, which
 * zarr-python never writes, and neither do we). `bad` throws the caller's
 * error for a message naming the field and the entry.
 */
export function parseCodecList(value: JsonValue | undefined, field: string, bad: (message: string) => never): CodecMetadata[] {
  if (!Array.isArray(value)) return bad(`"${field}" must be an array of codecs`);
  return value.map((c, i): CodecMetadata => {
    if (typeof c === "string") return { name: c };
    if (!isJsonObject(c) || typeof c["name"] !== "string") return bad(`"${field}"[${i}] must be an object with a "name"`);
    const configuration = c["configuration"];
    if (configuration === undefined) return { name: c["name"] };
    if (!isJsonObject(configuration)) return bad(`"${field}"[${i}].configuration must be an object`);
    return { name: c["name"], configuration };
  });
}

/**
 * Check the spec's codec order: array→array codecs, exactly one array→bytes
 * codec, then bytes→bytes codecs. `kindOf` says what each codec is (undefined:
 * an unknown name). A fault is a `MetadataError` on key "codecs" of `file`.
 */
export function checkCodecOrder<C extends { readonly name: string }>(codecs: readonly C[], kindOf: (codec: C) => CodecKind | undefined, file: string): void {
  let seenArrayToBytes = false;
  for (const c of codecs) {
    const kind = kindOf(c);
    if (kind === undefined) throw new MetadataError(file, "codecs", `unknown codec "${c.name}"`);
    if (kind === "array_to_array" && seenArrayToBytes) throw new MetadataError(file, "codecs", `array→array codec "${c.name}" after the array→bytes codec`);
    if (kind === "array_to_bytes") {
      if (seenArrayToBytes) throw new MetadataError(file, "codecs", `more than one array→bytes codec ("${c.name}")`);
      seenArrayToBytes = true;
    }
    if (kind === "bytes_to_bytes" && !seenArrayToBytes) throw new MetadataError(file, "codecs", `bytes→bytes codec "${c.name}" before the array→bytes codec`);
  }
  if (!seenArrayToBytes) throw new MetadataError(file, "codecs", "no array→bytes codec");
}

/**
 * The configuration written for a codec read without one (a bare name, or an
 * object with no `configuration`): the defaults this library reads it with,
 * which are zarr-python's. zarr-python 3.1 and 3.4 refuse bare names and
 * these four codecs without a configuration (docs/FORMAT.md F-3.6). `blosc`
 * leaves `typesize` out (both read that; this library's blosc does not use it).
 */
const WRITTEN_DEFAULTS: ReadonlyMap<string, () => JsonObject> = new Map([
  ["zstd", () => ({ level: 0, checksum: false })],
  ["gzip", () => ({ level: 5 })],
  ["blosc", () => ({ cname: "zstd", clevel: 5, shuffle: "shuffle", blocksize: 0 })],
  ["vlen-utf8", () => ({})],
]);

/** One entry of a codec list as read (a bare name, or an object), as it is written back; the same object when nothing changes. */
function entryToWrite(entry: JsonValue): JsonValue {
  if (typeof entry === "string") return codecToWrite({ name: entry }) as JsonObject;
  if (!isJsonObject(entry) || typeof entry["name"] !== "string") return entry;
  const configuration = entry["configuration"];
  if (configuration !== undefined && !isJsonObject(configuration)) return entry;
  const written = codecToWrite(configuration === undefined ? { name: entry["name"] } : { name: entry["name"], configuration });
  const same = written.configuration === configuration && Object.keys(entry).length === (configuration === undefined ? 1 : 2);
  return same ? entry : (written as JsonObject);
}

/**
 * A codec as `zarr.json` is written with it: `{"name", "configuration"}`, a
 * missing configuration filled with the defaults it was read with (`zstd`,
 * `gzip`, `blosc`, `vlen-utf8`), and the same inside a `sharding_indexed`
 * configuration's `codecs` and `index_codecs`. Left without one, as
 * zarr-python writes them: `bytes` (of 1-byte types; a multi-byte type
 * without `endian` is refused when its chunks are coded), `crc32c`, and
 * codecs with no defaults (`transpose`, `sharding_indexed`, unknown names).
 */
export function codecToWrite(c: CodecMetadata): { name: string; configuration?: JsonObject } {
  if (c.configuration === undefined) {
    const defaults = WRITTEN_DEFAULTS.get(c.name);
    return defaults === undefined ? { name: c.name } : { name: c.name, configuration: defaults() };
  }
  if (c.name !== "sharding_indexed") return { name: c.name, configuration: c.configuration };
  let configuration = c.configuration;
  for (const field of ["codecs", "index_codecs"]) {
    const list = configuration[field];
    if (!Array.isArray(list)) continue;
    const written = list.map(entryToWrite);
    if (written.some((e, i) => e !== list[i])) configuration = { ...configuration, [field]: written };
  }
  return { name: c.name, configuration };
}
