import { test } from "uvu";
import * as assert from "uvu/assert";
import { showValue } from "../src/errors.js";

test("showValue shows any value without throwing", () => {
  assert.is(showValue(-9223372036854775809n), "-9223372036854775809");
  assert.is(showValue([1n, { a: NaN, b: -0, c: Infinity }]), '[1, {"a": NaN, "b": -0, "c": Infinity}]');
  assert.is(showValue({ toString: 1, valueOf: 2 }), '{"toString": 1, "valueOf": 2}');
  assert.is(showValue("\ud800a\u0000\"\\😀"), '"\\ud800a\\u0000\\"\\\\😀"');
  assert.is(showValue(undefined), "undefined");
  assert.is(showValue(Symbol("s")), 'Symbol("s")');
  assert.is(showValue(new Float64Array(3)), "Float64Array(3)");
  assert.is(showValue(new Date(0)), "a Date");
  assert.is(showValue(Object.create(null)), "{}");
  assert.is(showValue(() => 1), "a function");
  assert.is(showValue({ get x() { throw new Error("no"); } }), '{"x": <getter>}');
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.is(showValue(revoked.proxy), "object");
});

test("showValue cuts long and deep values, never inside a surrogate pair", () => {
  const long = showValue("x".repeat(100_000));
  assert.ok(long.length < 200, long);
  assert.match(long, /…" \(100000 characters\)/);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.is(showValue(deep), "[[[[[[[[[…]]]]]]]]]");
  const wide = showValue(Array.from({ length: 1_000_000 }, (_, i) => i), 50);
  assert.is(wide.length, 51);
  const emoji = showValue("😀".repeat(100), 20);
  assert.not.match(emoji, /[\ud800-\udbff](?![\udc00-\udfff])/);
});

test.run();
