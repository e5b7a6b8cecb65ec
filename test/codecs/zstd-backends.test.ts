/**
 * The native (zstd-napi) and WASM (numcodecs) libzstd backends write frames
 * the other reads, both with the content size; and the whole engine and RAT
 * suites pass with the WASM fallback forced (RATZARR_ZSTD=wasm), as on a
 * machine where the native addon did not build.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { nativeZstd, QUEUE_DEPTH } from "../../src/node/zstd-native.js";
import { scanZstdFrames } from "../../src/codecs/zstd-frame.js";
import { rejectsWith } from "../helpers/bytes.js";
import type { ZstdBackend } from "../../src/codecs/zstd-backend.js";
import { ScratchPool } from "../../src/codecs/scratch.js";

const root = join(import.meta.dirname, "../..");

async function wasm(): Promise<ZstdBackend> {
  const { default: Zstd } = await import("numcodecs/zstd");
  const c = Zstd.fromConfig({ id: "zstd", level: 3 }) as { encode(d: Uint8Array): Promise<Uint8Array>; decode(d: Uint8Array): Promise<Uint8Array> };
  return { name: "wasm", writesChecksums: false, compress: (d) => c.encode(d), decompress: (f) => c.decode(f) };
}

function sample(n: number): Uint8Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = ((Math.imul(i, 2654435761) >>> 0) % 100000) / 100;
  return new Uint8Array(f.buffer);
}

test("native and WASM frames decode on the other backend, with content size (and checksum when native)", async () => {
  const native = await nativeZstd();
  const w = await wasm();
  for (const data of [new Uint8Array(0), new TextEncoder().encode("héllo 🌍".repeat(100)), sample(300_000)]) {
    for (const checksum of [false, true]) {
      const a = await native.compress(data, { level: 3, checksum: checksum });
      const frames = scanZstdFrames(a, "zstd", "k");
      assert.is(frames.contentSize, data.length, "native frames carry the content size");
      assert.is(frames.frames[0]!.hasChecksum, checksum, "native writes the checksum when asked");
      assert.equal(await w.decompress(a, { size: data.length }), data);
      const b = await w.compress(data, { level: 3, checksum: checksum });
      assert.is(scanZstdFrames(b, "zstd", "k").contentSize, data.length);
      assert.equal(await native.decompress(b, { size: data.length }), data);
    }
  }
});

test("libzstd threads for one awaited chunk (frameThreads): one standard frame with its content size, read by WASM and by zarr-python's numcodecs; offloaded chunks and small ones stay single-threaded", async () => {
  const threaded = await nativeZstd({ workers: 0, frameThreads: 2 });
  const plain = await nativeZstd({ workers: 0, frameThreads: 0 });
  assert.match(threaded.name, /2 libzstd threads per awaited chunk/);
  const w = await wasm();
  const data = sample(500_000); // 4 MB: eight 512 KiB jobs
  for (const checksum of [false, true]) {
    const a = await threaded.compress(data, { level: 3, checksum });
    const scan = scanZstdFrames(a, "zstd", "k");
    assert.is(scan.frames.length, 1, "one frame");
    assert.is(scan.contentSize, data.length);
    assert.is(scan.frames[0]!.hasChecksum, checksum);
    // The jobs restart the match history every 512 KiB: not the single-threaded bytes, so the option took effect.
    assert.not.equal(a, await plain.compress(data, { level: 3, checksum }));
    assert.equal(await w.decompress(a, { size: data.length }), data);
    assert.equal(await plain.decompress(a, { size: data.length }), data);
    const py = execFileSync(join(root, ".venv/bin/python"), ["-c", "import sys, numcodecs; d = numcodecs.Zstd().decode(sys.stdin.buffer.read()); sys.stdout.write(str(len(d)) + ' ' + str(sum(bytes(d)) % 1000003))"], { input: a, encoding: "utf8" });
    assert.is(py, `${data.length} ${data.reduce((s, x) => s + x, 0) % 1000003}`);
  }
  // Offloaded (another chunk runs beside it) and chunks under 1 MiB: the single-threaded bytes.
  assert.equal(await threaded.compress(data, { level: 3, checksum: false, schedule: { offload: true } }), await plain.compress(data, { level: 3, checksum: false }));
  const small = sample(100_000);
  assert.equal(await threaded.compress(small, { level: 3, checksum: false }), await plain.compress(small, { level: 3, checksum: false }));
});

test("by default a string chunk (splits) of 4 MiB or more awaited alone goes to libzstd's threads, numbers and smaller chunks do not; frameThreads 0 turns it off", async () => {
  const standard = await nativeZstd({ workers: 0 });
  const off = await nativeZstd({ workers: 0, frameThreads: 0 });
  assert.match(standard.name, /libzstd threads per awaited string chunk of 4 MiB or more/);
  assert.not.match(off.name, /libzstd threads/);
  const w = await wasm();
  const splits = { level: 3, checksum: false, schedule: { splits: true } };
  const plain = { level: 3, checksum: false };
  for (const data of [sample(2_200_000), sample(600_000)]) { // 17.6 MB (4 MiB jobs), 4.8 MB (1 MiB jobs)
    const a = await standard.compress(data, splits);
    const scan = scanZstdFrames(a, "zstd", "k");
    assert.is(scan.frames.length, 1, "one frame");
    assert.is(scan.contentSize, data.length);
    assert.not.equal(a, await off.compress(data, plain), "threads took effect (jobs restart the match history)");
    assert.equal(await off.decompress(a, { size: data.length }), data);
    assert.equal(await w.decompress(a, { size: data.length }), data);
    assert.equal(await standard.compress(data, plain), await off.compress(data, plain), "numbers (no splits): single-threaded");
    assert.equal(await off.compress(data, splits), await off.compress(data, plain), "frameThreads 0: single-threaded");
    assert.equal(await standard.compress(data, { ...splits, schedule: { splits: true, offload: true } }), await off.compress(data, plain), "offloaded: single-threaded");
  }
  const small = sample(500_000); // 4 MB, under 4 MiB
  assert.equal(await standard.compress(small, splits), await off.compress(small, plain), "under 4 MiB: single-threaded");
});

test("worker threads: many offloaded chunks at once come back exact and in order, corrupt frames are errors, small chunks stay in place", async () => {
  const native = await nativeZstd();
  assert.match(native.name, /worker thread/);
  const inputs = Array.from({ length: 9 }, (_, k) => sample(40_000 + k * 9_000));   // 320 KB to 900 KB: all above the worker threshold
  const frames = await Promise.all(inputs.map((d, k) => native.compress(d, { level: 1 + (k % 4), checksum: k % 2 === 0, schedule: { offload: true } })));
  frames.forEach((f, k) => assert.is(scanZstdFrames(f, "zstd", "k").frames[0]!.hasChecksum, k % 2 === 0, `frame ${k}: checksum as asked`));
  const back = await Promise.all(frames.map((f, k) => native.decompress(f, { size: inputs[k]!.length, schedule: { offload: true } })));
  back.forEach((b, k) => assert.equal(b, inputs[k], `chunk ${k} round trip`));
  // The caller's input is copied, not transferred: still readable afterwards, even a Node Buffer
  // sharing Node's small-buffer pool (whose slice() is a view: transferring it would detach the pool).
  assert.is(inputs[0]!.byteLength, 320_000);
  const neighbour = Buffer.from("a pooled neighbour");
  const zeros = new Uint8Array(300_000);
  const tiny = Buffer.from(await native.compress(zeros, { level: 3, checksum: false }));   // a few dozen bytes: from the pool
  assert.ok(tiny.byteLength < 4096 && tiny.buffer === neighbour.buffer, "both in Node's buffer pool");
  assert.equal(await native.decompress(tiny, { size: 300_000, schedule: { offload: true } }), zeros);
  assert.is(neighbour.toString(), "a pooled neighbour", "the pool is intact");
  const bad = frames[2]!.slice();   // checksummed: damage cannot pass unnoticed
  bad.fill(0x55, 20, 200);
  const e = await rejectsWith(async () => native.decompress(bad, { size: inputs[2]!.length, schedule: { offload: true } }), Error);
  console.log(`    corrupt frame through a worker: ${e.message}`);
  const small = sample(1000);
  assert.ok(native.compress(small, { level: 3, checksum: false, schedule: { offload: true } }) instanceof Uint8Array, "a small chunk is compressed in place, synchronously");
  assert.ok(native.compress(inputs[0]!, { level: 3, checksum: false }) instanceof Uint8Array, "a chunk a caller waits on alone: in place");
  const offloaded = native.compress(inputs[0]!, { level: 3, checksum: false, schedule: { offload: true } });
  assert.ok(offloaded instanceof Promise, "offloaded: on a worker");
  await offloaded;
  // `detachable`: a whole buffer its owner gave up is transferred, not copied; a view of part of one never is.
  const given = sample(50_000);
  const partOf = sample(60_000).subarray(8);
  const sent = [native.compress(given, { level: 3, checksum: false, schedule: { offload: true, detachable: true } }), native.compress(partOf, { level: 3, checksum: false, schedule: { offload: true, detachable: true } })];
  assert.is(given.byteLength, 0, "transferred to the worker");
  assert.is(partOf.byteLength, 60_000 * 8 - 8, "a partial view is copied");
  assert.equal(await native.decompress(await sent[0]!, { size: 400_000 }), sample(50_000));
  assert.equal(await native.decompress(await sent[1]!, { size: partOf.byteLength }), partOf);
  // Every worker busy: the calling thread does the next offloaded chunk itself rather than queue it.
  // Workers report finished jobs at once (shared memory): the busy jobs are 16 MB, tens of ms each,
  // and are handed over whole (detachable: transferred, not copied), so the calls that queue them
  // take microseconds and none can finish in between (copying 16 MB per call once let one finish
  // on a busy machine).
  const workers = Number(/(\d+) worker thread/.exec(native.name)![1]);
  const heavy = sample(2_000_000);
  const heavies = Array.from({ length: workers * QUEUE_DEPTH }, () => heavy.slice());
  const busy = heavies.map((h) => native.compress(h, { level: 3, checksum: false, schedule: { offload: true, detachable: true } }));
  assert.ok(busy.every((b) => b instanceof Promise));
  assert.ok(heavies.every((h) => h.byteLength === 0), "handed over, not copied");
  const inline = native.compress(inputs[2]!, { level: 3, checksum: false, schedule: { offload: true } });
  assert.ok(inline instanceof Uint8Array, "saturated pool: done in place");
  assert.equal(await native.decompress(inline as Uint8Array, { size: inputs[2]!.length }), inputs[2]);
  for (const b of busy) assert.equal(await native.decompress(await b, { size: heavy.length, schedule: { offload: true } }), heavy);
});

test("worker threads: a lent scratch input goes back to its pool once copied for the worker, and the next chunk may overwrite it at once", async () => {
  const native = await nativeZstd({ workers: 1 });
  const pool = new ScratchPool({ idleMs: 60_000 });
  const input = sample(600_000);   // 4.8 MB, over the worker threshold
  const lease = pool.lease()!;
  const lent = lease.bytes(input.byteLength + 100).subarray(100);   // an inner view, as vlen-utf8 leaves it
  lent.set(input);
  const pending = native.compress(lent, { level: 3, checksum: false, schedule: { offload: true }, lease });
  assert.ok(pending instanceof Promise, "offloaded");
  // Before the worker is done: the pool lends the same buffer again, and its new owner writes over it.
  const next = pool.lease()!.bytes(input.byteLength + 100);
  assert.is(next.buffer, lent.buffer, "given back as soon as it was copied");
  next.fill(0xee);
  // A cheap comparison: uvu's diff of two 4.8 MB arrays, were they to differ, takes minutes.
  assert.ok(Buffer.from(await native.decompress(await pending, { size: input.byteLength })).equals(input), "the frame holds the bytes as they were at the call");
  // Compressed on this thread (no offload): the lease is left to its owner.
  const mine = pool.lease()!;
  const kept = mine.bytes(input.byteLength);
  kept.set(input);
  native.compress(kept, { level: 3, checksum: false, lease: mine });
  assert.is.not(pool.lease()!.bytes(input.byteLength).buffer, kept.buffer, "still lent");
  pool.clear();
});

test("worker threads: a shared scratch input is read in place, not lent again while the worker reads it, and back once the worker counts it done, before its reply is received", async () => {
  const native = await nativeZstd({ workers: 1 });
  const pool = new ScratchPool({ idleMs: 60_000, shared: true });
  const input = sample(1_000_000);   // 8 MB, over the worker threshold
  const lease = pool.lease()!;
  const lent = lease.bytes(input.byteLength);
  lent.set(input);
  const pending = native.compress(lent, { level: 3, checksum: false, schedule: { offload: true }, lease });
  assert.ok(pending instanceof Promise, "offloaded");
  assert.is(lent.byteLength, input.byteLength, "not transferred: read where it is");
  lease.release();
  // Leases below are never released: their buffers must not come back and be taken instead.
  assert.is.not(pool.lease()!.bytes(input.byteLength).buffer, lent.buffer, "not lent again while the worker reads it");
  // This thread blocks (no event-loop turn, so the worker's reply cannot be received) until the
  // pool takes the buffer back: the worker's count in shared memory alone says it is done.
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let again: Uint8Array | undefined;
  for (let tries = 0; tries < 200 && again?.buffer !== lent.buffer; tries++) {
    Atomics.wait(nap, 0, 0, 25);
    again = pool.lease()!.bytes(input.byteLength);
  }
  assert.is(again!.buffer, lent.buffer, "back in the pool without the reply");
  again!.fill(0xee);
  assert.ok(Buffer.from(await native.decompress(await pending, { size: input.byteLength })).equals(input), "the frame holds the bytes as they were at the call");
  assert.is(pool.awayCount, 0);

  // A job the reply settles first gives it back too (done() by the reply handler).
  const l2 = pool.lease()!;
  const b2 = l2.bytes(input.byteLength + 7);
  b2.set(input);
  const out2 = await native.compress(b2.subarray(0, input.byteLength), { level: 3, checksum: false, schedule: { offload: true }, lease: l2 });
  assert.is(pool.awayCount, 0);
  assert.ok(pool.heldBytes >= b2.byteLength, "free again after the reply");
  assert.ok(Buffer.from(await native.decompress(out2, { size: input.byteLength })).equals(input));
  pool.clear();
});

test("the engine, RAT and fixture suites pass with the WASM fallback forced", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/run-tests.ts"), "test/codecs/zstd.test", "test/format", "test/rat", "spec-tests/fixtures", "spec-tests/ratzarr-py"], {
    cwd: root,
    env: { ...process.env, RATZARR_ZSTD: "wasm", RATZARR_S3: "off" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  assert.match(out, /zstd backend: wasm \(numcodecs\)/);
  const last = out.trim().split("\n").pop()!;
  assert.match(last, /^\d+ passed, 0 failed$/);
  assert.ok(Number(last.split(" ")[0]) > 150, last);
});

test.run();
