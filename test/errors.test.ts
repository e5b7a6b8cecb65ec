import { suite, test } from "uvu";
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

// ---- machine-readable codes ----

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join as joinPath } from "node:path";
import { BoundsError, MetadataError, NodeError, RatZarrError, ReadOnlyError, StoreError, type ErrorCode } from "../src/errors.js";
import { MemoryStore, RatZarr } from "../src/index.js";
import { CONFLICT, retryConflicts } from "../src/format/conditional.js";

async function codeOf(f: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await f();
  } catch (e) {
    if (e instanceof RatZarrError) return e.code;
    throw e;
  }
  throw new Error("expected a RatZarrError, nothing was thrown");
}

const codes = suite("error codes");

codes("every failure carries the code a program can act on", async () => {
  const store = new MemoryStore();
  const rz = await RatZarr.open(store, { onWarning: () => undefined });
  await rz.setRowCount(10);
  await rz.createColumn("a", "float64");
  assert.is(await codeOf(() => rz.createColumn("a", "float64")), "exists");
  assert.is(await codeOf(() => rz.openColumn("nope")), "missing");
  assert.is(await codeOf(() => rz.writeBlock("a", new Float64Array(5), 8)), "bounds");
  assert.is(await codeOf(() => rz.writeBlock("a", new Int32Array(5) as never, 0)), "type");
  assert.is(await codeOf(() => rz.setRowCount(-1)), "invalid");
  assert.is(await codeOf(() => RatZarr.open(store, { concurrency: NaN })), "invalid");
  const ro = await RatZarr.open(store, { readOnly: true });
  assert.is(await codeOf(() => ro.writeBlock("a", new Float64Array(1), 0)), "read-only");
  const roStore = new MemoryStore();
  await roStore.set("k", new Uint8Array(1));
  const stray = new MemoryStore();
  await stray.set("notes.txt", new Uint8Array(1));
  assert.is(await codeOf(() => RatZarr.open(stray)), "not-a-rat");
  await store.set("RAT/a/c/0", Uint8Array.from([1, 2, 3]));
  const fresh = await RatZarr.open(store, { readOnly: true });
  assert.is(await codeOf(() => fresh.readBlock("a", 0, 10)), "codec");
  await store.set("RAT/b/zarr.json", new TextEncoder().encode("{ not json"));
  assert.is(await codeOf(() => fresh.openColumn("b")), "metadata");
  await rz.close();
  assert.is(await codeOf(async () => rz.getRowCount()), "closed");
  const ac = new AbortController();
  ac.abort();
  assert.is(await codeOf(() => store.get("zarr.json", { signal: ac.signal })), "aborted");
  assert.is(await codeOf(() => retryConflicts("k", async () => CONFLICT, { maxAttempts: 2 })), "conflict");
});

codes("each class has its default code, and NodeError must be told which", () => {
  assert.is(new MetadataError("f", "k", "m").code, "metadata");
  assert.is(new StoreError("k", "m").code, "store");
  assert.is(new BoundsError("m").code, "bounds");
  assert.is(new ReadOnlyError("m").code, "read-only");
  assert.is(new NodeError("p", "m", { code: "missing" }).code, "missing");
  assert.is(new RatZarrError("m").code, "invalid");
});

codes("no code in src/ tells errors apart by their message text", () => {
  const root = joinPath(import.meta.dirname, "../src");
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(joinPath(dir, n)).isDirectory() ? files(joinPath(dir, n)) : n.endsWith(".ts") ? [joinPath(dir, n)] : []));
  const offenders = files(root).filter((f) => /\.test\(\s*\w+\.message\s*\)|\.message\s*\.\s*(includes|match|startsWith|endsWith)\(|\.message\s*===/.test(readFileSync(f, "utf8")));
  assert.equal(offenders, []);
});

codes.run();
