import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyBox, fillBox, isAllFill } from "../src/grid.js";

test("copyBox 1-d is a straight copy", () => {
  const src = Int32Array.from([1, 2, 3, 4, 5]);
  const dst = new Int32Array(6);
  copyBox(src, [5], [1], dst, [6], [2], [3]);
  assert.equal([...dst], [0, 0, 2, 3, 4, 0]);
});

test("copyBox 2-d partial columns", () => {
  // src 3x4, copy rows 1..2, cols 1..2 to dst 2x3 at [0,1]
  const src = Int16Array.from({ length: 12 }, (_, i) => i);
  const dst = new Int16Array(6);
  copyBox(src, [3, 4], [1, 1], dst, [2, 3], [0, 1], [2, 2]);
  assert.equal([...dst], [0, 5, 6, 0, 9, 10]);
});

test("copyBox 3-d and strings", () => {
  const src = Array.from({ length: 24 }, (_, i) => `s${i}`);
  const dst = new Array<string>(8).fill("");
  copyBox(src, [2, 3, 4], [0, 1, 2], dst, [2, 2, 2], [0, 0, 0], [2, 2, 2]);
  assert.equal(dst, ["s6", "s7", "s10", "s11", "s18", "s19", "s22", "s23"]);
});

test("copyBox with a zero count copies nothing; rank 0 copies one", () => {
  const dst = new Float64Array(2);
  copyBox(Float64Array.from([1, 2]), [2], [0], dst, [2], [0], [0]);
  assert.equal([...dst], [0, 0]);
  copyBox(Float64Array.from([7]), [], [], dst, [], [], []);
  assert.equal([...dst], [7, 0]);
});

test("fillBox sets a box", () => {
  const a = new Uint8Array(12).fill(1);
  fillBox(a, [4, 3], [2, 0], [2, 3], "uint8", 0);
  assert.equal([...a], [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const b = new BigInt64Array(3);
  fillBox(b, [3], [1], [2], "int64", 5n);
  assert.equal([...b], [0n, 5n, 5n]);
});

test("isAllFill: zero, -0.0, NaN, strings, odd lengths, subarrays", () => {
  assert.ok(isAllFill(new Float64Array(7), "float64", 0));
  assert.not.ok(isAllFill(Float64Array.from([0, -0]), "float64", 0));
  assert.ok(isAllFill(Float64Array.from([-0, -0]), "float64", -0));
  assert.ok(isAllFill(Float32Array.from([NaN, NaN, NaN]), "float32", NaN));
  assert.not.ok(isAllFill(Float32Array.from([NaN, 1]), "float32", NaN));
  assert.ok(isAllFill(new Uint8Array(3), "bool", false));
  assert.not.ok(isAllFill(Uint8Array.from([0, 0, 1]), "bool", false));
  assert.ok(isAllFill(Int16Array.from([7, 7, 7]), "int16", 7));
  assert.not.ok(isAllFill(Int16Array.from([7, 7, 7, 8]), "int16", 7));
  assert.ok(isAllFill(BigInt64Array.from([5n, 5n, 5n]), "int64", 5n));
  assert.not.ok(isAllFill(BigInt64Array.from([5n, 5n, 6n]), "int64", 5n));
  assert.ok(isAllFill(["", ""], "string", ""));
  assert.not.ok(isAllFill(["", "0"], "string", ""));
  const big = new Uint8Array(11);
  assert.ok(isAllFill(big.subarray(1), "uint8", 0));
  big[10] = 1;
  assert.not.ok(isAllFill(big.subarray(1), "uint8", 0));
  assert.ok(isAllFill(new Float64Array(0), "float64", 0));
});

test.run();
