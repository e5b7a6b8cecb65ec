import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseNodeMetadata, parseArrayMetadata, stringifyArrayMetadata, stringifyGroupMetadata, parseFillValue, defaultCodecs } from "../../src/format/metadata.js";
import { MetadataError } from "../../src/errors.js";

const base = {
  shape: [10],
  data_type: "int32",
  chunk_grid: { name: "regular", configuration: { chunk_shape: [4] } },
  chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
  fill_value: 0,
  codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 0, checksum: false } }],
  attributes: { MODIFICATIONLOG: [] },
  zarr_format: 3,
  node_type: "array",
  storage_transformers: [],
};

function fails(doc: unknown, key: string | undefined, pattern: RegExp): void {
  try {
    parseNodeMetadata(typeof doc === "string" ? doc : JSON.stringify(doc), "RAT/col/zarr.json");
    assert.unreachable("accepted");
  } catch (e) {
    if (!(e instanceof MetadataError)) throw e;
    assert.is(e.file, "RAT/col/zarr.json");
    assert.is(e.key, key);
    assert.match(e.message, pattern);
  }
}

test("parses an array zarr.json as zarr-python writes it", () => {
  const m = parseArrayMetadata(JSON.stringify(base, null, 2), "f");
  assert.equal(m.shape, [10]);
  assert.is(m.dataType, "int32");
  assert.equal(m.chunkShape, [4]);
  assert.equal(m.chunkKeyEncoding, { name: "default", separator: "/" });
  assert.is(m.fillValue, 0);
  assert.equal(m.attributes, { MODIFICATIONLOG: [] });
});

test("writes back the same bytes", () => {
  const text = JSON.stringify(base, null, 2);
  assert.is(stringifyArrayMetadata(parseArrayMetadata(text, "f")), text);
});

test("required keys, each a MetadataError naming the key", () => {
  for (const key of ["shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs"]) {
    const doc: Record<string, unknown> = { ...base };
    delete doc[key];
    fails(doc, key, /required key is missing/);
  }
});

test("zarr_format must be 3, node_type array or group", () => {
  fails({ ...base, zarr_format: 2 }, "zarr_format", /expected 3/);
  fails({ ...base, node_type: "folder" }, "node_type", /expected "array" or "group"/);
  fails("[1]", undefined, /not a JSON object/);
});

test("chunk shape rank must equal shape rank", () => {
  fails({ ...base, chunk_grid: { name: "regular", configuration: { chunk_shape: [4, 2] } } }, "chunk_grid", /rank 2 but shape has rank 1/);
  fails({ ...base, chunk_grid: { name: "rectilinear", configuration: {} } }, "chunk_grid", /regular/);
  fails({ ...base, shape: [-1] }, "shape", /element 0/);
  fails({ ...base, chunk_grid: { name: "regular", configuration: { chunk_shape: [0] } } }, "chunk_grid.configuration.chunk_shape", />= 1/);
});

test("codec order: array→array, one array→bytes, bytes→bytes", () => {
  const zstd = { name: "zstd", configuration: { level: 0, checksum: false } };
  const bytes = { name: "bytes", configuration: { endian: "little" } };
  const transpose = { name: "transpose", configuration: { order: [0] } };
  fails({ ...base, codecs: [zstd, bytes] }, "codecs", /bytes→bytes codec "zstd" before/);
  fails({ ...base, codecs: [bytes, bytes] }, "codecs", /more than one array→bytes/);
  fails({ ...base, codecs: [bytes, transpose] }, "codecs", /array→array codec "transpose" after/);
  fails({ ...base, codecs: [zstd] }, "codecs", /before the array→bytes/);
  fails({ ...base, codecs: [transpose] }, "codecs", /no array→bytes codec/);
  fails({ ...base, codecs: [] }, "codecs", /non-empty list/);
  fails({ ...base, codecs: [{ name: "lz77" }] }, "codecs", /unknown codec "lz77"/);
  const ok = parseArrayMetadata(JSON.stringify({ ...base, codecs: [transpose, "bytes", zstd] }), "f");
  assert.equal(ok.codecs.map((c) => c.name), ["transpose", "bytes", "zstd"]);
});

test("unknown top-level keys are refused unless must_understand is false", () => {
  fails({ ...base, extension: 1 }, "extension", /unknown metadata key/);
  fails({ ...base, extension: { must_understand: true } }, "extension", /unknown metadata key/);
  const m = parseArrayMetadata(JSON.stringify({ ...base, extension: { must_understand: false, x: 1 } }), "f");
  assert.equal(m.extraFields, { extension: { must_understand: false, x: 1 } });
  assert.match(stringifyArrayMetadata(m), /"storage_transformers": \[\],\n  "extension": \{/);
});

test("storage transformers are refused; dimension_names checked", () => {
  fails({ ...base, storage_transformers: [{ name: "x" }] }, "storage_transformers", /not supported/);
  fails({ ...base, dimension_names: ["a", "b"] }, "dimension_names", /1 strings or nulls/);
  assert.equal(parseArrayMetadata(JSON.stringify({ ...base, dimension_names: ["row"] }), "f").dimensionNames, ["row"]);
});

test("chunk key encodings", () => {
  fails({ ...base, chunk_key_encoding: { name: "v3" } }, "chunk_key_encoding", /unsupported encoding/);
  fails({ ...base, chunk_key_encoding: { name: "default", configuration: { separator: "-" } } }, "chunk_key_encoding", /separator/);
  assert.equal(parseArrayMetadata(JSON.stringify({ ...base, chunk_key_encoding: { name: "v2" } }), "f").chunkKeyEncoding, { name: "v2", separator: "." });
});

test("fill values of every kind", () => {
  assert.ok(Number.isNaN(parseFillValue("float32", "NaN", "f") as number));
  assert.is(parseFillValue("float64", "Infinity", "f"), Infinity);
  assert.is(parseFillValue("float64", "-Infinity", "f"), -Infinity);
  assert.ok(Number.isNaN(parseFillValue("float32", "0x7fc00000", "f") as number));
  assert.is(parseFillValue("float64", "0x3ff0000000000000", "f"), 1);
  assert.is(parseFillValue("float16", "0x3c00", "f"), 1);
  assert.is(parseFillValue("int64", 4611686018427387905n, "f"), 4611686018427387905n);
  assert.is(parseFillValue("uint64", 18446744073709551615n, "f"), 18446744073709551615n);
  assert.is(parseFillValue("int64", 5, "f"), 5n);
  assert.is(parseFillValue("string", "0", "f"), "0");
  assert.is(parseFillValue("bool", false, "f"), false);
  for (const [dt, v] of [["int8", 128], ["uint8", -1], ["int32", 1.5], ["bool", 0], ["string", 0], ["float32", "nan"], ["float32", "0x7fc0"], ["uint64", 18446744073709551616n]] as const) {
    assert.throws(() => parseFillValue(dt, v, "a/zarr.json"), (e: unknown) => e instanceof MetadataError && e.key === "fill_value" && /a\/zarr.json/.test(e.message));
  }
});

test("int64 fill beyond 2^53 survives parse and write", () => {
  const text = JSON.stringify({ ...base, data_type: "int64" }, null, 2).replace('"fill_value": 0', '"fill_value": 4611686018427387905');
  const m = parseArrayMetadata(text, "f");
  assert.is(m.fillValue, 4611686018427387905n);
  assert.is(stringifyArrayMetadata(m), text);
});

test("group: consolidated_metadata null is read, not written", () => {
  const m = parseNodeMetadata('{"attributes": {"ROWCOUNT": 10}, "zarr_format": 3, "consolidated_metadata": null, "node_type": "group"}', "zarr.json");
  assert.is(m.nodeType, "group");
  if (m.nodeType !== "group") throw new Error("not a group");
  assert.is(stringifyGroupMetadata(m), '{\n  "attributes": {\n    "ROWCOUNT": 10\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}');
  assert.equal(parseNodeMetadata('{"zarr_format": 3, "node_type": "group"}', "zarr.json").attributes, {});
});

test("default codecs: no endian for 1-byte types, vlen-utf8 for strings", () => {
  assert.equal(defaultCodecs("uint8")[0], { name: "bytes" });
  assert.equal(defaultCodecs("bool")[0], { name: "bytes" });
  assert.equal(defaultCodecs("int16")[0], { name: "bytes", configuration: { endian: "little" } });
  assert.equal(defaultCodecs("string")[0], { name: "vlen-utf8", configuration: {} });
});

test("non-UTF-8 bytes are a MetadataError", () => {
  assert.throws(() => parseNodeMetadata(new Uint8Array([0x7b, 0xff, 0x7d]), "g/zarr.json"), (e: unknown) => e instanceof MetadataError && /UTF-8/.test((e as Error).message));
});

test("values past int64 (bigint) or of any type in the wrong place give a MetadataError, never a TypeError from building the message", () => {
  const withText = (key: string, raw: string) => JSON.stringify({ ...base, [key]: "@@" }).replace('"@@"', raw);
  const huge = "-9223372036854775809";
  fails(withText("node_type", huge), "node_type", new RegExp(huge));
  fails(withText("zarr_format", huge), "zarr_format", new RegExp(huge));
  fails(withText("data_type", huge), "data_type", new RegExp(huge));
  fails(withText("chunk_key_encoding", `{"name": ${huge}}`), "chunk_key_encoding", new RegExp(huge));
  fails(withText("chunk_key_encoding", `{"name": "default", "configuration": {"separator": [${huge}]}}`), "chunk_key_encoding", new RegExp(`\\[${huge}\\]`));
  fails(withText("fill_value", `[${huge}, {"a": 18446744073709551616}]`), "fill_value", /\[-9223372036854775809, \{"a": 18446744073709551616\}\]/);
  fails(withText("shape", `[${huge}]`), "shape", new RegExp(huge));
  // An object whose "toString" is data: String() and template literals throw on it.
  fails(withText("zarr_format", '{"toString": 1, "valueOf": 2}'), "zarr_format", /\{"toString": 1, "valueOf": 2\}/);
  fails(withText("node_type", '{"toString": 1}'), "node_type", /toString/);
  fails(withText("data_type", '["\\ud800", "\\u0000"]'), "data_type", /\["\\ud800", "\\u0000"\]/);
});

test("an attribute nested past the depth limit is a MetadataError naming the file, never a stack overflow", () => {
  fails(withAttribute("[".repeat(5000) + "]".repeat(5000)), undefined, /nested deeper than \d+ levels/);
});

test("a __proto__ extension key (must_understand false) is kept as data and written back", () => {
  const text = JSON.stringify(base, null, 2).replace('"storage_transformers": []', '"storage_transformers": [],\n  "__proto__": {\n    "must_understand": false\n  }');
  const m = parseArrayMetadata(text, "f");
  assert.equal(Object.keys(m.extraFields), ["__proto__"]);
  assert.is(Object.getPrototypeOf(m.extraFields), Object.prototype);
  assert.is(stringifyArrayMetadata(m), text);
});

function withAttribute(raw: string): string {
  return JSON.stringify({ ...base, attributes: { x: "@@" } }).replace('"@@"', raw);
}

test.run();
