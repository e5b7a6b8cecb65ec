import { test } from "uvu";
import * as assert from "uvu/assert";
import { MIN_SCRATCH, ScratchPool } from "../../src/codecs/scratch.js";
import { CodecPipeline } from "../../src/codecs/pipeline.js";
import { CodecRegistry } from "../../src/codecs/registry.js";
import { nativeZstd } from "../../src/node/zstd-native.js";
import { wasmZstd } from "../../src/codecs/zstd-backend.js";

const MiB = 1 << 20;

/** A timer the test fires by hand. */
function manualTimer() {
  const due: (() => void)[] = [];
  return { setTimer: (fn: () => void) => void due.push(fn), fire: () => due.splice(0).forEach((f) => f()) };
}

test("a lease's buffers come back to the pool and are lent again; small ones are plain allocations", () => {
  const pool = new ScratchPool();
  const a = pool.lease()!;
  const big = a.bytes(3 * MiB);
  assert.is(big.length, 3 * MiB);
  const small = a.bytes(MIN_SCRATCH - 1);
  a.release();
  assert.is(pool.heldBytes, 3 * MiB, "only the large buffer is kept");
  const b = pool.lease()!;
  const again = b.bytes(2 * MiB);
  assert.is(again.buffer, big.buffer, "the smallest free buffer that fits is lent again");
  assert.is(again.length, 2 * MiB);
  assert.is.not(small.buffer, again.buffer);
  assert.is(pool.heldBytes, 0);
});

test("a buffer the next codec's output shares, or one transferred away, is never given back", () => {
  const pool = new ScratchPool();
  const lease = pool.lease()!;
  const bytes = lease.bytes(2 * MiB);
  lease.release(bytes.subarray(10, 20));
  assert.is(pool.heldBytes, 0, "the output is a view of the lent buffer: it stays the output's");
  const other = pool.lease()!;
  const moved = other.bytes(2 * MiB);
  structuredClone(moved.buffer, { transfer: [moved.buffer as ArrayBuffer] });
  other.release();
  assert.is(pool.heldBytes, 0, "a detached buffer is dropped");
});

test("limits: at most keepBytes and four buffers kept, the oldest dropped first; keepBytes 0 turns it off", () => {
  const pool = new ScratchPool({ keepBytes: 5 * MiB });
  const lease = pool.lease()!;
  const first = lease.bytes(2 * MiB);
  lease.bytes(2 * MiB);
  lease.bytes(2 * MiB);
  lease.release();
  assert.is(pool.heldBytes, 4 * MiB);
  assert.is.not(pool.lease()!.bytes(2 * MiB).buffer, first.buffer, "the oldest went first");
  const many = new ScratchPool();
  const l = many.lease()!;
  for (let i = 0; i < 6; i++) l.bytes(MiB);
  l.release();
  assert.is(many.heldBytes, 4 * MiB);
  assert.is(new ScratchPool({ keepBytes: 0 }).lease(), undefined);
});

test("the pool drops its buffers once idle, and not while in use", async () => {
  const timer = manualTimer();
  const pool = new ScratchPool({ idleMs: 30, setTimer: timer.setTimer });
  pool.lease()!.bytes(2 * MiB);
  const lease = pool.lease()!;
  lease.bytes(2 * MiB);
  lease.release();
  assert.is(pool.heldBytes, 2 * MiB);
  timer.fire();
  assert.is(pool.heldBytes, 2 * MiB, "used less than idleMs ago: kept, timer set again");
  await new Promise((r) => setTimeout(r, 40));
  timer.fire();
  assert.is(pool.heldBytes, 0, "idle for idleMs: dropped");
});

test("shared: buffers are SharedArrayBuffers; one shared with another thread comes back once it is done, by its test or by done()", () => {
  const pool = new ScratchPool({ shared: true, idleMs: 60_000 });
  assert.is(pool.shared, true);
  const lease = pool.lease()!;
  const bytes = lease.bytes(2 * MiB);
  assert.ok(bytes.buffer instanceof SharedArrayBuffer);
  let finished = false;
  const lent = lease.share(bytes.subarray(0, MiB + 5), () => finished)!;
  assert.is(lent.buffer, bytes.buffer, "read in place, no copy");
  lease.release();
  assert.is(pool.heldBytes, 0, "out of the lease, not given back by its release");
  assert.is(pool.awayCount, 1);
  assert.is.not(pool.lease()!.bytes(2 * MiB).buffer, bytes.buffer, "not lent again while the other thread reads it");
  finished = true;
  const again = pool.lease()!.bytes(2 * MiB);
  assert.is(again.buffer, bytes.buffer, "its test says done: taken back when a buffer is needed, no event awaited");
  assert.is(pool.awayCount, 0);

  // Or by done(), once; a second call does nothing.
  const l2 = pool.lease()!;
  const b2 = l2.bytes(3 * MiB);
  const s2 = l2.share(b2, () => false)!;
  s2.done();
  s2.done();
  assert.is(pool.heldBytes, 3 * MiB);
  assert.is(pool.lease()!.bytes(3 * MiB).buffer, b2.buffer);
});

test("share refuses what it cannot lend in place: an inner view, a buffer the lease does not hold, an unshared pool's", () => {
  const pool = new ScratchPool({ shared: true });
  const lease = pool.lease()!;
  const bytes = lease.bytes(2 * MiB);
  assert.is(lease.share(bytes.subarray(1), () => true), undefined, "not at the buffer's start");
  assert.is(lease.share(new Uint8Array(new SharedArrayBuffer(2 * MiB)), () => true), undefined, "not this lease's");
  assert.is(lease.share(new Uint8Array(MiB), () => true), undefined, "a plain allocation (small request)");
  const plain = new ScratchPool().lease()!;
  const mine = plain.bytes(2 * MiB);
  assert.ok(mine.buffer instanceof ArrayBuffer);
  assert.is(plain.share(mine, () => true), undefined, "not shared memory: the caller copies");
  lease.release();
  assert.is(pool.heldBytes, 2 * MiB, "refused shares leave the buffer with its lease");
});

/** Chunks of strings of `len` characters, every 7th with an "é", over 1 MiB encoded. */
function chunkOf(seed: number, n: number, len: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${seed}:${i}:`.padEnd(len, String.fromCharCode(97 + ((seed + i) % 26))) + (i % 7 === 0 ? "é" : ""));
  return out;
}

for (const [name, zstd, shared] of [["native", () => nativeZstd(), false], ["native, shared scratch", () => nativeZstd(), true], ["native on this thread, shared scratch", () => nativeZstd({ workers: 0 }), true], ["wasm", wasmZstd, false], ["wasm, shared scratch", wasmZstd, true]] as const) {
  test(`${name} zstd: chunks of strings encoded and decoded at once through one pool come back whole, and the pool is used`, async () => {
    const registry = new CodecRegistry(zstd, { shared });
    const n = 20000;
    const spec = { shape: [n], dataType: "string" as const, fillValue: "" };
    const pipeline = await CodecPipeline.create([{ name: "vlen-utf8" }, { name: "zstd", configuration: { level: 1 } }], spec, "t/zarr.json", { codecs: registry });
    const chunks = Array.from({ length: 8 }, (_, k) => chunkOf(k, n, 60 + 10 * k));
    // Each chunk encoded alone, then all at once: the same bytes (no chunk wrote into another's buffer).
    const alone: Uint8Array[] = [];
    for (const [k, c] of chunks.entries()) alone.push(await pipeline.encode(c, { key: `c/${k}` }));
    assert.ok(registry.scratch.heldBytes >= MIN_SCRATCH, "the encoder's bytes went through the pool");
    const together = await Promise.all(chunks.map((c, k) => pipeline.encode(c, { key: `c/${k}`, schedule: { offload: k % 2 === 0 } })));
    for (let k = 0; k < chunks.length; k++) assert.equal(Buffer.compare(together[k]!, alone[k]!), 0, `chunk ${k}`);
    const back = await Promise.all(together.map((b, k) => pipeline.decode(b, { key: `c/${k}`, schedule: { offload: k % 3 === 0 } })));
    for (let k = 0; k < chunks.length; k++) assert.equal(back[k], chunks[k], `chunk ${k}`);
    // Edge chunks (fewer rows than a chunk) too.
    const edge = await Promise.all(together.map((b, k) => pipeline.decode(b, { key: `c/${k}` }, 1000 + k)));
    for (let k = 0; k < chunks.length; k++) assert.equal(edge[k], chunks[k]!.slice(0, 1000 + k), `edge chunk ${k}`);
  });
}

for (const shared of [false, true]) test(`decoding into a lent buffer${shared ? " (shared)" : ""}: decodeBytes then decodeArray with one lease, the buffer reused after release`, async () => {
  const registry = new CodecRegistry(() => nativeZstd({ workers: 0 }), { shared });
  const n = 20000;
  const spec = { shape: [n], dataType: "string" as const, fillValue: "" };
  const pipeline = await CodecPipeline.create([{ name: "vlen-utf8" }, { name: "zstd" }], spec, "t/zarr.json", { codecs: registry });
  const data = chunkOf(3, n, 100);
  const stored = await pipeline.encode(data, { key: "c/0" });
  registry.scratch.clear();
  const lease = pipeline.decodeLease()!;
  const ctx = { key: "c/0", scratch: lease };
  const raw = await pipeline.decodeBytes(stored, ctx);
  assert.is(registry.scratch.heldBytes, 0, "lent, not free");
  assert.equal(await pipeline.decodeArray(raw, ctx), data);
  lease.release();
  assert.is(registry.scratch.heldBytes, raw.buffer.byteLength, "given back after the strings were made");
  const bytesPipeline = await CodecPipeline.create([{ name: "bytes" }, { name: "zstd" }], { shape: [n], dataType: "float64", fillValue: 0 }, "t/zarr.json", { codecs: registry });
  assert.is(bytesPipeline.decodeLease(), undefined, "the bytes codec returns views of its input: no lease");
});

test.run();
