/**
 * Array and group `zarr.json` documents (spec: "Metadata"): parsed once, at
 * the boundary, into typed metadata with explicit checks, and written back
 * exactly as zarr-python 3.1.4+ writes them (FORMAT.md).
 */
import { type CodecKind, type CodecMetadata, isJsonObject, type JsonObject, type JsonValue } from "../codecs/codec.js";
import { checkCodecOrder, codecToWrite, parseCodecList } from "../codecs/codec-list.js";
import { float16ToNumber } from "../codecs/binary.js";
import { BUILT_IN_KINDS } from "../codecs/registry.js";
import { type DataType, type FillValue, isDataType, ITEM_SIZE } from "../data-types.js";
import { MetadataError, showValue } from "../errors.js";
import { JsonFloat, type JsonWritable, parseJson, stringifyJson } from "./json.js";

export interface ChunkKeyEncoding {
  readonly name: "default" | "v2";
  readonly separator: "/" | ".";
}

/** Metadata of one array, as read from or written to its `zarr.json`. */
export interface ArrayMetadata {
  readonly nodeType: "array";
  readonly shape: readonly number[];
  readonly dataType: DataType;
  readonly chunkShape: readonly number[];
  readonly chunkKeyEncoding: ChunkKeyEncoding;
  readonly fillValue: FillValue;
  readonly codecs: readonly CodecMetadata[];
  readonly attributes: JsonObject;
  readonly dimensionNames?: readonly (string | null)[] | undefined;
  /** Top-level keys marked `"must_understand": false`, kept so a rewrite does not drop them. */
  readonly extraFields: JsonObject;
}

/** Metadata of one group. */
export interface GroupMetadata {
  readonly nodeType: "group";
  readonly attributes: JsonObject;
  readonly extraFields: JsonObject;
}

export type NodeMetadata = ArrayMetadata | GroupMetadata;

const ARRAY_KEYS = new Set(["zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs", "attributes", "dimension_names", "storage_transformers"]);
const GROUP_KEYS = new Set(["zarr_format", "node_type", "attributes", "consolidated_metadata"]);

/** Which codec names are known, and of what kind: the built-in codecs unless a registry says otherwise. */
export type CodecKinds = (name: string) => CodecKind | undefined;
const builtInKinds: CodecKinds = (name) => BUILT_IN_KINDS.get(name);

/** Parse the bytes or text of a `zarr.json` stored at key `file`; `kinds` knows the codecs (default: the built-in ones). */
export function parseNodeMetadata(input: Uint8Array | string, file: string, kinds: CodecKinds = builtInKinds): NodeMetadata {
  let text: string;
  try {
    text = typeof input === "string" ? input : new TextDecoder("utf-8", { fatal: true }).decode(input);
  } catch (cause) {
    throw new MetadataError(file, undefined, "not valid UTF-8", { cause });
  }
  const doc = parseJson(text, file);
  if (!isJsonObject(doc)) throw new MetadataError(file, undefined, "the document is not a JSON object");
  if (doc["zarr_format"] !== 3) throw new MetadataError(file, "zarr_format", `expected 3, found ${showValue(doc["zarr_format"])}`);
  const nodeType = doc["node_type"];
  if (nodeType === "group") return parseGroup(doc, file);
  if (nodeType === "array") return parseArray(doc, file, kinds);
  throw new MetadataError(file, "node_type", `expected "array" or "group", found ${showValue(nodeType ?? null)}`);
}

/** Parse a `zarr.json` that must describe an array. */
export function parseArrayMetadata(input: Uint8Array | string, file: string, kinds: CodecKinds = builtInKinds): ArrayMetadata {
  const m = parseNodeMetadata(input, file, kinds);
  if (m.nodeType !== "array") throw new MetadataError(file, "node_type", "expected an array, found a group");
  return m;
}

/** Parse a `zarr.json` that must describe a group. */
export function parseGroupMetadata(input: Uint8Array | string, file: string): GroupMetadata {
  const m = parseNodeMetadata(input, file);
  if (m.nodeType !== "group") throw new MetadataError(file, "node_type", "expected a group, found an array");
  return m;
}

function extraFields(doc: JsonObject, known: Set<string>, file: string): JsonObject {
  const extra: JsonObject = {};
  for (const [key, value] of Object.entries(doc)) {
    if (known.has(key)) continue;
    // spec: an unknown key is an error unless it says it need not be understood.
    // defineProperty, not assignment: a key "__proto__" must stay data.
    if (isJsonObject(value) && value["must_understand"] === false) Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true });
    else throw new MetadataError(file, key, 'unknown metadata key (only keys with "must_understand": false may be ignored)');
  }
  return extra;
}

function parseAttributes(doc: JsonObject, file: string): JsonObject {
  const a = doc["attributes"];
  if (a === undefined) return {};
  if (!isJsonObject(a)) throw new MetadataError(file, "attributes", "must be a JSON object");
  return a;
}

function parseGroup(doc: JsonObject, file: string): GroupMetadata {
  const cm = doc["consolidated_metadata"];
  if (cm !== undefined && cm !== null && !isJsonObject(cm)) throw new MetadataError(file, "consolidated_metadata", "must be null or an object");
  return { nodeType: "group", attributes: parseAttributes(doc, file), extraFields: extraFields(doc, GROUP_KEYS, file) };
}

function parseIntList(v: JsonValue | undefined, file: string, key: string, min: number): number[] {
  if (!Array.isArray(v)) throw new MetadataError(file, key, "must be a list of integers");
  return v.map((x, i) => {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
      throw new MetadataError(file, key, `element ${i} is ${showValue(x)}, expected an integer >= ${min}`);
    }
    return x;
  });
}

function parseArray(doc: JsonObject, file: string, kinds: CodecKinds): ArrayMetadata {
  for (const key of ["shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs"]) {
    if (!(key in doc)) throw new MetadataError(file, key, "required key is missing");
  }
  const shape = parseIntList(doc["shape"], file, "shape", 0);
  const dt = doc["data_type"];
  if (!isDataType(dt)) throw new MetadataError(file, "data_type", `unsupported data type ${showValue(dt)}`);

  const grid = doc["chunk_grid"];
  if (!isJsonObject(grid) || grid["name"] !== "regular") throw new MetadataError(file, "chunk_grid", 'only the "regular" chunk grid is supported');
  const gridConf = grid["configuration"];
  if (!isJsonObject(gridConf)) throw new MetadataError(file, "chunk_grid", "configuration is missing");
  const chunkShape = parseIntList(gridConf["chunk_shape"], file, "chunk_grid.configuration.chunk_shape", 1);
  if (chunkShape.length !== shape.length) {
    throw new MetadataError(file, "chunk_grid", `chunk shape has rank ${chunkShape.length} but shape has rank ${shape.length}`);
  }

  const fillValue = parseFillValue(dt, doc["fill_value"], file);
  const codecs = parseCodecs(doc["codecs"], file, kinds);
  const st = doc["storage_transformers"];
  if (st !== undefined && !(Array.isArray(st) && st.length === 0)) {
    throw new MetadataError(file, "storage_transformers", "storage transformers are not supported");
  }
  let dimensionNames: (string | null)[] | undefined;
  const dn = doc["dimension_names"];
  if (dn !== undefined && dn !== null) {
    if (!Array.isArray(dn) || dn.length !== shape.length || !dn.every((x) => x === null || typeof x === "string")) {
      throw new MetadataError(file, "dimension_names", `must be a list of ${shape.length} strings or nulls`);
    }
    dimensionNames = dn as (string | null)[];
  }
  return {
    nodeType: "array",
    shape,
    dataType: dt,
    chunkShape,
    chunkKeyEncoding: parseChunkKeyEncoding(doc["chunk_key_encoding"], file),
    fillValue,
    codecs,
    attributes: parseAttributes(doc, file),
    dimensionNames,
    extraFields: extraFields(doc, ARRAY_KEYS, file),
  };
}

function parseChunkKeyEncoding(v: JsonValue | undefined, file: string): ChunkKeyEncoding {
  if (!isJsonObject(v)) throw new MetadataError(file, "chunk_key_encoding", "must be an object");
  const name = v["name"];
  if (name !== "default" && name !== "v2") throw new MetadataError(file, "chunk_key_encoding", `unsupported encoding ${showValue(name)}`);
  const conf = v["configuration"];
  let separator: JsonValue | undefined = name === "default" ? "/" : ".";
  if (conf !== undefined) {
    if (!isJsonObject(conf)) throw new MetadataError(file, "chunk_key_encoding", "configuration must be an object");
    if (conf["separator"] !== undefined) separator = conf["separator"];
  }
  if (separator !== "/" && separator !== ".") throw new MetadataError(file, "chunk_key_encoding", `separator must be "/" or ".", found ${showValue(separator)}`);
  return { name, separator };
}

function parseCodecs(v: JsonValue | undefined, file: string, kinds: CodecKinds): CodecMetadata[] {
  const codecs = parseCodecList(v, "codecs", (message) => {
    throw new MetadataError(file, "codecs", message);
  });
  if (codecs.length === 0) throw new MetadataError(file, "codecs", "must be a non-empty list");
  checkCodecOrder(codecs, (c) => kinds(c.name), file);
  return codecs;
}

const INT_RANGE: Partial<Record<DataType, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-2147483648n, 2147483647n], int64: [-(1n << 63n), (1n << 63n) - 1n],
  uint8: [0n, 255n], uint16: [0n, 65535n], uint32: [0n, 4294967295n], uint64: [0n, (1n << 64n) - 1n],
};

/** Parse a `fill_value` for `dataType` (spec: "fill_value"), including NaN/Infinity strings and hex bit patterns. */
export function parseFillValue(dataType: DataType, v: JsonValue | undefined, file: string): FillValue {
  const bad = (why: string): never => {
    throw new MetadataError(file, "fill_value", `${showValue(v ?? null)} is not a valid ${dataType} fill value: ${why}`);
  };
  if (dataType === "string") return typeof v === "string" ? v : bad("expected a string");
  if (dataType === "bool") return typeof v === "boolean" ? v : bad("expected true or false");
  const range = INT_RANGE[dataType];
  if (range !== undefined) {
    if ((typeof v !== "number" || !Number.isInteger(v)) && typeof v !== "bigint") return bad("expected an integer");
    const b = BigInt(v);
    if (b < range[0] || b > range[1]) return bad(`outside ${range[0]}..${range[1]}`);
    return dataType === "int64" || dataType === "uint64" ? b : Number(b);
  }
  // floats
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (typeof v === "string" && /^0x[0-9a-fA-F]+$/.test(v)) {
    const size = ITEM_SIZE[dataType];
    if (v.length !== 2 + size * 2) return bad(`a hex bit pattern for ${dataType} has ${size * 2} digits`);
    const view = new DataView(new ArrayBuffer(8));
    const bits = BigInt(v);
    if (size === 8) { view.setBigUint64(0, bits); return view.getFloat64(0); }
    if (size === 4) { view.setUint32(0, Number(bits)); return view.getFloat32(0); }
    return float16ToNumber(Number(bits));
  }
  return bad("expected a number, \"NaN\", \"Infinity\", \"-Infinity\" or a hex bit pattern");
}

/** The JSON form zarr-python writes for a fill value: `0`, `0.0`, `false`, `""`, `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function fillValueJson(dataType: DataType, fill: FillValue): JsonWritable {
  if (dataType === "string") return String(fill);
  if (dataType === "bool") return Boolean(fill);
  if (dataType === "float16" || dataType === "float32" || dataType === "float64") {
    const x = Number(fill);
    if (Number.isNaN(x)) return "NaN";
    if (x === Infinity) return "Infinity";
    if (x === -Infinity) return "-Infinity";
    return new JsonFloat(x);
  }
  return typeof fill === "bigint" ? (Number.isSafeInteger(Number(fill)) ? Number(fill) : fill) : Number(fill);
}

/** The `zarr.json` text of an array, byte for byte as zarr-python 3.1.4+ writes it. */
export function stringifyArrayMetadata(m: ArrayMetadata): string {
  const doc: { [key: string]: JsonWritable } = {
    shape: [...m.shape],
    data_type: m.dataType,
    chunk_grid: { name: "regular", configuration: { chunk_shape: [...m.chunkShape] } },
    chunk_key_encoding: { name: m.chunkKeyEncoding.name, configuration: { separator: m.chunkKeyEncoding.separator } },
    fill_value: fillValueJson(m.dataType, m.fillValue),
    codecs: m.codecs.map(codecToWrite),
    attributes: m.attributes,
    dimension_names: m.dimensionNames === undefined ? undefined : [...m.dimensionNames],
    zarr_format: 3,
    node_type: "array",
    storage_transformers: [],
    ...m.extraFields,
  };
  return stringifyJson(doc);
}

/** The `zarr.json` text of a group, as zarr-python 3.1.4+ writes it (no `consolidated_metadata`). */
export function stringifyGroupMetadata(m: GroupMetadata): string {
  return stringifyJson({ attributes: m.attributes, zarr_format: 3, node_type: "group", ...m.extraFields });
}

/** The default codecs zarr-python 3.1 gives a new array: `bytes` (or `vlen-utf8`) then zstd level 0. */
export function defaultCodecs(dataType: DataType): CodecMetadata[] {
  const zstd: CodecMetadata = { name: "zstd", configuration: { level: 0, checksum: false } };
  if (dataType === "string") return [{ name: "vlen-utf8", configuration: {} }, zstd];
  if (dataType !== "float16" && ITEM_SIZE[dataType] === 1) return [{ name: "bytes" }, zstd];
  return [{ name: "bytes", configuration: { endian: "little" } }, zstd];
}
