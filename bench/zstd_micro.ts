/**
 * The codec floor under the float64 benchmarks: one 4 MB chunk of the
 * benchmark data (500000 float64, bench/zarr_python_bench.py's definition)
 * compressed at level 3 and decompressed, ms per chunk, best of 3 rounds of 20:
 * zstd-napi's high-level compress/decompress, our engine on zstd-napi's binding
 * (src/node/zstd-engine.cjs) on this thread, two chunks at once through the
 * backend (worker thread + this thread), and numcodecs' Zstd in the pinned
 * Python environment (what zarr-python calls).
 *
 *   node --import tsx bench/zstd_micro.ts
 */
import { best, sampleChunk } from "./chunk_sample.js";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { nativeZstd } from "../src/node/zstd-native.js";

const root = join(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const data = sampleChunk();

const high = require("zstd-napi") as { compress(d: Uint8Array, p: object): Uint8Array; decompress(d: Uint8Array): Uint8Array };
const frame = high.compress(data, { compressionLevel: 3 });
const { createEngine } = require("../src/node/zstd-engine.cjs") as { createEngine(b: unknown, m: unknown): { compress(d: Uint8Array, l: number, c: boolean): Uint8Array; decompress(f: Uint8Array, s: number): Uint8Array } };
const engine = createEngine(require("zstd-napi/binding"), high);
const backend = await nativeZstd();
const rows: [string, number, number][] = [
  ["zstd-napi compress()/decompress()", await best(() => high.compress(data, { compressionLevel: 3 })), await best(() => high.decompress(frame))],
  ["zstd-engine.cjs, this thread", await best(() => engine.compress(data, 3, false)), await best(() => engine.decompress(frame, data.length))],
  [`backend, 2 chunks at once (${backend.name}), per chunk`, (await best(() => Promise.all([backend.compress(data, { level: 3, checksum: false, schedule: { offload: true } }), backend.compress(data, { level: 3, checksum: false, schedule: { offload: true } })]), 10)) / 2,
    (await best(() => Promise.all([backend.decompress(frame, { size: data.length, schedule: { offload: true } }), backend.decompress(frame, { size: data.length, schedule: { offload: true } })]), 10)) / 2],
];
const py = execFileSync(join(root, ".venv/bin/python"), ["-c", `
import time, numpy as np
from numcodecs import Zstd
j = np.arange(${data.length / 8}, dtype=np.uint64)
a = (((j * 2654435761) % 2**32) % 100000 / 100).astype("<f8").tobytes()
z = Zstd(level=0)
f = z.encode(a)
def best(fn):
    b = 1e9
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(20): fn()
        b = min(b, (time.perf_counter() - t) / 20)
    return b * 1000
print(best(lambda: z.encode(a)), best(lambda: z.decode(f)))
`], { encoding: "utf8" }).trim().split(" ").map(Number);
rows.push(["numcodecs Zstd (zarr-python)", py[0]!, py[1]!]);
console.log("| 4 MB float64 chunk, level 3 | compress ms | decompress ms |\n| --- | --- | --- |");
for (const [name, c, d] of rows) console.log(`| ${name} | ${c.toFixed(2)} | ${d.toFixed(2)} |`);
