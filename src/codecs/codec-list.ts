/**
 * A codec list as `zarr.json` holds it (spec: "Codecs"): the `codecs` of an
 * array, or the `codecs` and `index_codecs` inside a sharding configuration.
 * Parsed from JSON here, and checked for the spec's order: array→array
 * codecs, exactly one array→bytes codec, then bytes→bytes codecs.
 */
import { type CodecKind, type CodecMetadata, isJsonObject, type JsonValue } from "./codec.js";
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
