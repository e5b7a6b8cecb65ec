/** Comparing arrays element by element with Object.is semantics (uvu's equal fails on NaN in typed arrays, and cannot tell -0 from 0 in plain ones). */
import * as assert from "uvu/assert";

function show(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  return JSON.stringify(v);
}

/** Assert that two arrays (typed or not) hold the same elements, NaN equal to NaN and -0 apart from 0. */
export function assertSameValues(actual: ArrayLike<unknown>, expected: ArrayLike<unknown>, message?: string): void {
  assert.is(actual.constructor, expected.constructor, `${message ?? ""} array type`);
  assert.equal(Array.from(actual, show), Array.from(expected, show), message);
}
