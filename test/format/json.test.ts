import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fc from "fast-check";
import { parseJson, pythonFloat, stringifyJson, JsonFloat, MAX_JSON_DEPTH } from "../../src/format/json.js";
import { MetadataError, RatZarrError } from "../../src/errors.js";

test("parses bare NaN, Infinity and -Infinity tokens", () => {
  const v = parseJson('{"a": NaN, "b": Infinity, "c": [-Infinity, 1]}', "x/zarr.json") as Record<string, unknown>;
  assert.ok(Number.isNaN(v["a"]));
  assert.is(v["b"], Infinity);
  assert.equal(v["c"], [-Infinity, 1]);
});

test("keeps integers beyond 2^53 exact as bigint", () => {
  const v = parseJson("[9007199254740993, -9223372036854775808, 18446744073709551615, 9007199254740991, 1.5e300]", "f") as unknown[];
  assert.equal(v, [9007199254740993n, -9223372036854775808n, 18446744073709551615n, 9007199254740991, 1.5e300]);
});

test("a __proto__ key stays plain data", () => {
  const v = parseJson('{"__proto__": {"polluted": true}}', "f") as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(v), Object.prototype);
  assert.equal(Object.keys(v), ["__proto__"]);
  assert.is(({} as Record<string, unknown>)["polluted"], undefined);
});

test("escapes and unicode are decoded", () => {
  assert.is(parseJson('"a\\"b\\\\c\\n\\u00e9\\ud83c\\udf0d"', "f"), 'a"b\\c\né🌍');
});

test("malformed JSON is a MetadataError naming the file and offset", () => {
  for (const bad of ["{", '{"a" 1}', "[1,]", "tru", '"abc', "{} x", "01", '{"a":1,}']) {
    try {
      parseJson(bad, "RAT/col/zarr.json");
      assert.unreachable(`accepted ${bad}`);
    } catch (e) {
      assert.instance(e, MetadataError);
      assert.match((e as Error).message, "RAT/col/zarr.json");
      assert.match((e as Error).message, /offset \d+/);
    }
  }
});

test("pythonFloat matches Python's repr", () => {
  // Expected values are Python 3.11's repr() of the same floats.
  const cases: [number, string][] = [
    [0, "0.0"], [-0, "-0.0"], [0.5, "0.5"], [100, "100.0"], [1e16, "1e+16"], [1.5e16, "1.5e+16"],
    [1e-5, "1e-05"], [0.0001, "0.0001"], [123456789012345.6, "123456789012345.6"], [1e22, "1e+22"],
    [2.5e-7, "2.5e-07"], [-3, "-3.0"], [1234567890123456, "1234567890123456.0"], [0.1, "0.1"],
    [NaN, "NaN"], [Infinity, "Infinity"], [-Infinity, "-Infinity"], [1.7976931348623157e308, "1.7976931348623157e+308"], [5e-324, "5e-324"],
  ];
  for (const [x, want] of cases) assert.is(pythonFloat(x), want, String(x));
});

test("stringifyJson writes json.dumps(indent=2) layout", () => {
  const text = stringifyJson({ a: [1, new JsonFloat(2), "héllo\u007f", {}], b: [], c: { d: true, e: null }, big: 18446744073709551615n, u: undefined });
  assert.is(text, '{\n  "a": [\n    1,\n    2.0,\n    "h\\u00e9llo\\u007f",\n    {}\n  ],\n  "b": [],\n  "c": {\n    "d": true,\n    "e": null\n  },\n  "big": 18446744073709551615\n}');
});

test("round trip keeps values", () => {
  const doc = { s: "日本語 🌍 \"q\" \\ \t", n: [1, -2, 0.25, 1e300, NaN], b: 12345678901234567890n, o: { x: [[]] } };
  const back = parseJson(stringifyJson(doc), "f");
  assert.equal(JSON.stringify(back, (_, v) => (typeof v === "bigint" ? `${v}n` : Number.isNaN(v) ? "NaN" : v)), JSON.stringify(doc, (_, v) => (typeof v === "bigint" ? `${v}n` : Number.isNaN(v) ? "NaN" : v)));
});

test("a hole or undefined in an array is written as null, so the text stays JSON", () => {
  // eslint-disable-next-line no-sparse-arrays
  const text = stringifyJson({ a: [1, , 3, undefined] } as never);
  assert.equal(parseJson(text, "f"), { a: [1, null, 3, null] });
});

// Properties with a fixed seed, so the unit tests stay deterministic (the campaign under test/campaign/ varies it).
const PROPERTY = { seed: 20261129, numRuns: 300 };

test("property: any text parses to a value or fails with a MetadataError naming the file", () => {
  const text = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))), fc.json(), fc.stringMatching(/^[[\]{}",:0-9eE.+\-a-zNIfy\\u ]{0,30}$/));
  fc.assert(
    fc.property(text, (t) => {
      try {
        parseJson(t, "p/zarr.json");
      } catch (e) {
        if (!(e instanceof MetadataError) || e.file !== "p/zarr.json") throw e;
      }
    }),
    PROPERTY,
  );
});

test("property: what is written parses back to the same value (bigints, NaN, -0, lone surrogates, __proto__ keys)", () => {
  const scalar = fc.oneof(fc.double(), fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), fc.boolean(), fc.constant(null));
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string(), fc.constant("__proto__")), tie("value"), { maxKeys: 4 })),
  }));
  // Integers past 2^53 come back as bigint, the rest as numbers: compare through one form.
  const canon = (v: unknown): unknown => {
    if (typeof v === "bigint") return `n${v}`;
    if (typeof v === "number") return Number.isSafeInteger(v) ? `n${v}` : Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : `f${v}`;
    if (Array.isArray(v)) return v.map(canon);
    if (v !== null && typeof v === "object") return Object.entries(v).map(([k, x]) => [k, canon(x)]);
    return v;
  };
  fc.assert(
    fc.property(value, (v) => {
      assert.equal(canon(parseJson(stringifyJson(v as never), "f")), canon(v));
    }),
    PROPERTY,
  );
});

/** `value` wrapped in `depth` arrays, built without recursion. */
function nested(depth: number, inner: unknown = 1): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

test(`nesting: ${MAX_JSON_DEPTH} levels parse, one more is a MetadataError naming the file and the depth, never a stack overflow`, () => {
  assert.equal(parseJson("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH), "f"), nested(MAX_JSON_DEPTH - 1, []));
  for (const text of [
    "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1),
    '{"a":'.repeat(5000) + "1" + "}".repeat(5000),
    "[".repeat(100_000),
    '{"attributes": {"x": ' + "[{}, ".repeat(5000),
  ]) {
    try {
      parseJson(text, "RAT/col/zarr.json");
      assert.unreachable("accepted");
    } catch (e) {
      assert.instance(e, MetadataError);
      assert.is((e as MetadataError).file, "RAT/col/zarr.json");
      assert.match((e as Error).message, `nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
  }
});

test(`nesting: writing ${MAX_JSON_DEPTH} levels works, more is a RatZarrError (never a stack overflow), so what is written can be read`, () => {
  const deepest = nested(MAX_JSON_DEPTH - 1);
  assert.equal(parseJson(stringifyJson(deepest as never), "f"), deepest);
  for (const depth of [MAX_JSON_DEPTH, 5000, 200_000]) {
    try {
      stringifyJson({ attributes: { x: nested(depth) } } as never);
      assert.unreachable(`wrote ${depth} levels`);
    } catch (e) {
      assert.instance(e, RatZarrError);
      assert.match((e as Error).message, `nested deeper than ${MAX_JSON_DEPTH} levels`);
      assert.match((e as Error).message, '"attributes" → "x" → 0');
    }
  }
});

test.run();
