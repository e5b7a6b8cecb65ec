/** Small helpers for hand-built byte tests. */
import * as assert from "uvu/assert";
import { CodecError } from "../../src/errors.js";

/** Bytes from hex text; white space is ignored. */
export const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (h) => parseInt(h, 16));

/** UTF-8 text of bytes. */
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The same bytes as a subarray at a non-zero `byteOffset` of a larger buffer (padded with 0xee both sides). */
export function shifted(b: Uint8Array, by: number): Uint8Array {
  const buf = new Uint8Array(b.length + by + 5).fill(0xee);
  buf.set(b, by);
  return buf.subarray(by, by + b.length);
}

/** One buffer of several. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Assert that `f` throws or rejects with an instance of `cls` whose message matches every pattern; returns the error. */
export async function rejectsWith(f: () => unknown, cls: abstract new (...a: never[]) => Error, ...patterns: RegExp[]): Promise<Error> {
  try {
    await f();
  } catch (e) {
    assert.instance(e, cls);
    for (const p of patterns) assert.match((e as Error).message, p);
    return e as Error;
  }
  assert.unreachable(`expected a ${cls.name}`);
  throw new Error("unreachable");
}

/** Assert that `f` fails with a `CodecError` matching every pattern. */
export async function rejects(f: () => unknown, ...patterns: RegExp[]): Promise<void> {
  await rejectsWith(f, CodecError, ...patterns);
}
