/**
 * The three libzstd backends of the Node runtime side by side: zstd-napi
 * (native, when it loads), node:zlib (Node 22.15+) and numcodecs' WASM build,
 * on one 4 MB chunk of the benchmark data (500000 float64, as in
 * bench/zstd_micro.ts), level 3: ms per chunk on this thread (best of 3 rounds
 * of 20), ms per chunk with two offloaded at once, and a check that every
 * backend reads every other's frame.
 *
 *   node --import tsx bench/zstd_backends.ts                      # this node
 *   node --import tsx bench/zstd_backends.ts NODE_BINARY ...      # each binary given, in turn
 */
import { best, sampleChunk } from "./chunk_sample.js";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { ZstdBackend } from "../src/codecs/zstd-backend.js";
import { wasmZstd } from "../src/codecs/zstd-backend.js";
import { scanZstdFrames } from "../src/codecs/zstd-frame.js";
import { nativeZstd } from "../src/node/zstd-native.js";
import { zlibZstd } from "../src/node/zstd-zlib.js";

const binaries = process.argv.slice(2);
if (binaries.length > 0) {
  for (const bin of binaries) {
    execFileSync(bin, ["--import", "tsx", join(import.meta.dirname, "zstd_backends.ts")], { cwd: join(import.meta.dirname, ".."), stdio: "inherit" });
  }
  process.exit(0);
}

const data = sampleChunk();

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;

const backends: [string, ZstdBackend | string][] = [];
for (const [label, load] of [["zstd-napi", () => nativeZstd()], ["node:zlib", () => zlibZstd()], ["wasm", () => wasmZstd()]] as const) {
  try {
    backends.push([label, await load()]);
  } catch (e) {
    backends.push([label, (e as Error).message.split("\n")[0]!]);
  }
}

const loaded = backends.filter((b): b is [string, ZstdBackend] => typeof b[1] !== "string");
const frames = new Map<string, Uint8Array>();
for (const [label, b] of loaded) {
  const f = await b.compress(data, { level: 3, checksum: b.writesChecksums });
  const s = scanZstdFrames(f, "zstd", "bench");
  if (s.contentSize !== data.length) throw new Error(`${label}: frame announces ${s.contentSize} bytes`);
  frames.set(label, f);
}
const size = { size: data.length };
const both = { level: 3, checksum: false, schedule: { offload: true } };
console.log(`\nNode ${process.versions.node} (${process.versions.zstd === undefined ? "" : `zlib's libzstd ${process.versions.zstd}, `}${process.arch}); 4 MB float64 chunk, level 3, ms per chunk`);
console.log("| backend | compress | decompress | 2 offloaded at once: compress | decompress | ratio | reads frames of |\n| --- | --- | --- | --- | --- | --- | --- |");
for (const [label, b] of backends) {
  if (typeof b === "string") {
    console.log(`| ${label} | - | - | - | - | - | not available: ${b} |`);
    continue;
  }
  const own = frames.get(label)!;
  const reads: string[] = [];
  for (const [other, f] of frames) {
    if (!equal(await b.decompress(f, size), data)) throw new Error(`${label} misreads the frame of ${other}`);
    reads.push(other);
  }
  const c = await best(() => b.compress(data, { level: 3, checksum: false }));
  const d = await best(() => b.decompress(own, size));
  const c2 = (await best(() => Promise.all([b.compress(data, both), b.compress(data, both)]), 10)) / 2;
  const d2 = (await best(() => Promise.all([b.decompress(own, { ...size, schedule: both.schedule }), b.decompress(own, { ...size, schedule: both.schedule })]), 10)) / 2;
  console.log(`| ${b.name} | ${c.toFixed(2)} | ${d.toFixed(2)} | ${c2.toFixed(2)} | ${d2.toFixed(2)} | ${(data.length / own.length).toFixed(2)} | ${reads.join(", ")} |`);
}
process.exit(0);
