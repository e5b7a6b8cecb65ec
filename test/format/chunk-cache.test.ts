import { test } from "uvu";
import * as assert from "uvu/assert";
import { LruChunkCache } from "../../src/format/chunk-cache.js";
import { KeyedMutex, mapLimit } from "../../src/format/concurrency.js";

test("LRU evicts the least recently used past the byte budget", () => {
  const c = new LruChunkCache(300);
  c.set("a", { data: new Uint8Array(100), version: undefined });
  c.set("b", { data: new Uint8Array(100), version: undefined });
  c.set("c", { data: new Uint8Array(100), version: undefined });
  assert.ok(c.get("a"));
  c.set("d", { data: new Uint8Array(100), version: undefined });
  assert.is(c.get("b"), undefined);
  assert.ok(c.get("a") && c.get("c") && c.get("d"));
  assert.is(c.size, 300);
  c.set("huge", { data: new Uint8Array(301), version: undefined });
  assert.is(c.get("huge"), undefined);
  c.delete("a");
  assert.is(c.size, 200);
  c.set("c", { data: new Uint8Array(50), version: undefined });
  assert.is(c.size, 150);
  c.clear();
  assert.is(c.size, 0);
});

test("mapLimit keeps the bound and the order", async () => {
  let inFlight = 0, peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, x));
    inFlight--;
    return x * 2;
  });
  assert.equal(out, [10, 2, 8, 4, 6, 0, 12]);
  assert.is(peak, 3);
});

test("mapLimit rejects with the first error and starts no more", async () => {
  let started = 0;
  try {
    await mapLimit([1, 2, 3, 4, 5, 6], 2, async (x) => {
      started++;
      if (x === 2) throw new Error("boom");
      await new Promise((r) => setTimeout(r, 5));
    });
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).message, "boom");
  }
  assert.ok(started <= 3, `started ${started}`);
});

test("KeyedMutex runs one key at a time, other keys in parallel, and survives errors", async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const job = (key: string, name: string, ms: number, fail = false) =>
    m.run(key, async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([job("k", "a", 10, true), job("k", "b", 1), job("j", "c", 1)]);
  assert.is(results[0]!.status, "rejected");
  assert.equal(results[1], { status: "fulfilled", value: "b" });
  assert.ok(log.indexOf("end a") < log.indexOf("start b"));
  assert.ok(log.indexOf("start c") < log.indexOf("end a"));
});

test.run();
