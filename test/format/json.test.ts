import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseJson, pythonFloat, stringifyJson, JsonFloat } from "../../src/format/json.js";
import { MetadataError } from "../../src/errors.js";

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

test.run();
