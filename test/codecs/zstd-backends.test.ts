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
import { nativeZstd } from "../../src/node/zstd-native.js";
import { scanZstdFrames } from "../../src/codecs/zstd-frame.js";
import type { ZstdBackend } from "../../src/codecs/zstd-backend.js";

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
      const a = await native.compress(data, 3, checksum);
      const frames = scanZstdFrames(a, "zstd", "k");
      assert.is(frames.contentSize, data.length, "native frames carry the content size");
      assert.is(frames.frames[0]!.hasChecksum, checksum, "native writes the checksum when asked");
      assert.equal(await w.decompress(a, data.length), data);
      const b = await w.compress(data, 3, checksum);
      assert.is(scanZstdFrames(b, "zstd", "k").contentSize, data.length);
      assert.equal(await native.decompress(b, data.length), data);
    }
  }
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
